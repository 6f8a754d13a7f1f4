"""The roles a person may hold; one person may hold several."""

from __future__ import annotations

PATIENT = "patient"
DOCTOR = "doctor"
REGISTRAR = "registrar"
ADMIN = "admin"

ALL_ROLES = (PATIENT, DOCTOR, REGISTRAR, ADMIN)
STAFF = frozenset({REGISTRAR, ADMIN})
