"""Checking a conclusion's signature: anyone holding the PDF can."""

from __future__ import annotations

import io
from typing import Any

from chalicelib.errors import BadRequest
from chalicelib.secrets import secret


def verify(pdf: bytes) -> dict[str, Any]:
    """{valid, intact, trusted, signer, signed_at, booking, certificate_serial}; valid=False for any change."""
    from asn1crypto import pem, x509  # heavy (pyHanko and its ASN.1): only a verification needs them
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not pdf.startswith(b"%PDF"):
        raise BadRequest("not a pdf", reason="pdf")
    ca = x509.Certificate.load(pem.unarmor(secret("CLINIC_CA_CERT_PEM").encode())[2])
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError):
        return _invalid("unreadable")
    if not signatures:
        return _invalid("unsigned")
    embedded = signatures[-1]
    try:
        status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[ca], allow_fetching=False))
    except Exception:  # pyHanko raises many kinds for a damaged signature: all mean "not valid"
        return _invalid("damaged")
    cert = status.signing_cert
    subject = cert.subject.native if cert is not None else {}
    info = reader.trailer_view.get("/Info")  # pyHanko 0.38: the trailer as a dictionary; /Info may be indirect
    info = info.get_object() if info is not None else {}
    booking = str(info.get("/Subject", "")).removeprefix("booking:") if info else ""
    covers_all = status.coverage is not None and status.coverage.name in ("ENTIRE_FILE", "ENTIRE_REVISION")
    valid = bool(status.intact and status.valid and covers_all and len(signatures) == 1)
    return {
        "valid": valid and bool(status.trusted),
        "intact": bool(status.intact),
        "trusted": bool(status.trusted),
        "signer": subject.get("common_name"),
        "organization": subject.get("organization_name"),
        "signed_at": status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
        "booking": booking or None,
        "certificate_serial": format(cert.serial_number, "X") if cert else None,
    }


def _invalid(reason: str) -> dict[str, Any]:
    return {
        "valid": False,
        "intact": False,
        "trusted": False,
        "signer": None,
        "organization": None,
        "signed_at": None,
        "booking": None,
        "certificate_serial": None,
        "reason": reason,
    }
