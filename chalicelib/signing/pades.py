"""PAdES baseline B signatures whose value KMS computes: the private key never leaves KMS.

moto's KMS ignores MessageType=DIGEST (and differs from AWS in its PSS salt), so
the signed attributes themselves (well under 4 KB) are sent with MessageType=RAW
and RSASSA_PKCS1_V1_5_SHA_256: the same code verifies in moto and in AWS.
"""

from __future__ import annotations

import io
from typing import Any, Protocol

from chalicelib import aws

SIGNING_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"


class DocumentSigner(Protocol):
    """What the conclusion needs from a signer; a qualified (GOST) service could stand here instead."""

    def sign_pdf(self, pdf: bytes, *, reason: str, location: str) -> bytes: ...


def _kms_signer_class() -> Any:
    from pyhanko.sign import signers  # heavy (pyHanko): only signing a conclusion needs it

    class KmsSigner(signers.Signer):
        def __init__(self, key_id: str, certificate: Any, chain: list[Any]) -> None:
            from asn1crypto import algos  # heavy, as pyHanko
            from pyhanko_certvalidator.registry import SimpleCertificateStore

            super().__init__(
                signing_cert=certificate,
                cert_registry=SimpleCertificateStore.from_certs(chain),
                signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
            )
            self.key_id = key_id

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            if dry_run:
                return bytes(256)
            return bytes(
                aws.kms().sign(KeyId=self.key_id, Message=data, MessageType="RAW", SigningAlgorithm=SIGNING_ALGORITHM)[
                    "Signature"
                ]
            )

    return KmsSigner


class KmsDocumentSigner:
    def __init__(self, key_id: str, certificate_pem: str, ca_certificate_pem: str) -> None:
        self.key_id = key_id
        self.certificate_pem = certificate_pem
        self.ca_certificate_pem = ca_certificate_pem

    def sign_pdf(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        from asn1crypto import pem, x509  # heavy (pyHanko and its ASN.1): only signing needs them
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        def load(text: str) -> Any:
            return x509.Certificate.load(pem.unarmor(text.encode())[2])

        certificate, ca = load(self.certificate_pem), load(self.ca_certificate_pem)
        signer = _kms_signer_class()(self.key_id, certificate, [certificate, ca])
        meta = signers.PdfSignatureMetadata(
            field_name="Signature",
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        out = io.BytesIO()
        signers.PdfSigner(meta, signer=signer).sign_pdf(writer, output=out)
        return out.getvalue()
