"""The clinic's certificate authority: issues each doctor's certificate for a public key held in KMS.

The CA's key and certificate are the stage's secrets (CLINIC_CA_KEY_PEM and
CLINIC_CA_CERT_PEM, from SSM in AWS); the local stage makes a development CA at start.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from chalicelib.secrets import secret

CERT_VALIDITY = dt.timedelta(days=730)
NAME_LIMIT = 64  # bytes of UTF-8 in a name attribute


def fit(text: str) -> str:
    """Cut a name to what an X.509 name attribute holds (64 bytes), at a character boundary."""
    if len(text.encode("utf-8")) <= NAME_LIMIT:
        return text
    encoded = text.encode("utf-8")[:NAME_LIMIT]
    cut = encoded.decode("utf-8", "ignore")
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).strip()


def make_development_ca(clinic_name: str) -> tuple[str, str]:
    """(key PEM, certificate PEM) of a fresh development CA — local stage only."""
    from cryptography import x509  # heavy: imported where used, not on every cold start
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, fit(clinic_name)),
            x509.NameAttribute(NameOID.COMMON_NAME, fit("Учебный УЦ Центра телемедицины")),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


@functools.lru_cache(maxsize=1)
def ca_certificate() -> Any:
    from cryptography import x509  # heavy: imported where used, not on every cold start

    return x509.load_pem_x509_certificate(secret("CLINIC_CA_CERT_PEM").encode())


def issue_doctor_certificate(public_key_der: bytes, doctor_name: str, doctor_id: str, clinic_name: str) -> str:
    """A certificate for the doctor's KMS public key, signed by the clinic's CA (PEM)."""
    from cryptography import x509  # heavy: imported where used, not on every cold start
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_key = serialization.load_pem_private_key(secret("CLINIC_CA_KEY_PEM").encode(), password=None)
    if not isinstance(ca_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):  # what signs with SHA-256
        raise ValueError(f"CLINIC_CA_KEY_PEM: an RSA or EC key, not {type(ca_key).__name__}")
    ca_cert = ca_certificate()
    public_key = serialization.load_der_public_key(public_key_der)
    if not isinstance(public_key, rsa.RSAPublicKey):  # the doctors' KMS keys are RSA_2048
        raise ValueError(f"the doctor's key: RSA, not {type(public_key).__name__}")
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, fit(clinic_name)),
            x509.NameAttribute(NameOID.TITLE, "Врач"),
            x509.NameAttribute(NameOID.COMMON_NAME, fit(doctor_name)),
            x509.NameAttribute(NameOID.USER_ID, doctor_id),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + CERT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()
