"""Electronic signatures of conclusions: the clinic's CA, doctors' keys in KMS, PAdES, verification.

`Signer` in `pades.py` is the one interface; a qualified (GOST) signing service
could replace the KMS implementation without touching the conclusion code.
"""
