"""A doctor's certificate as the conclusion's signature block names it: the number, the issuer, the validity."""

from __future__ import annotations

from chalicelib.i18n import t
from chalicelib.timefmt import clinic_zone, format_date


def certificate_line(certificate_pem: str) -> str:
    """«Сертификат № 1A2B… выдан: Учебный УЦ …, ФГБУ …, действителен с 2 декабря 2026 г. по 2 декабря 2027 г.»,
    not the issuer's raw distinguished name."""
    from cryptography import x509  # heavy: only a signing reads certificates
    from cryptography.x509.oid import NameOID

    cert = x509.load_pem_x509_certificate(certificate_pem.encode())

    def named(oid: x509.ObjectIdentifier) -> str:
        values = cert.issuer.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    issuer = ", ".join(part for part in (named(NameOID.COMMON_NAME), named(NameOID.ORGANIZATION_NAME)) if part)
    zone = clinic_zone()
    return t(
        "conclusion.certificate",
        serial=format(cert.serial_number, "X"),
        issuer=issuer or cert.issuer.rfc4514_string(),
        valid_from=format_date(cert.not_valid_before_utc.astimezone(zone).date()),
        valid_to=format_date(cert.not_valid_after_utc.astimezone(zone).date()),
    )
