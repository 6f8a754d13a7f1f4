"""The paid-service contract and the personal-data consent: versions, signatures, withdrawal."""
