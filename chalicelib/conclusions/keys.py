"""A doctor's signing key: created in KMS by an admin's action (not per deploy), certified by the clinic's CA."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.accounts.sessions import Principal
from chalicelib.config import settings
from chalicelib.errors import Conflict, NotFound, Unavailable
from chalicelib.logs import log_event
from chalicelib.signing.ca import issue_doctor_certificate
from chalicelib.storage import doctors as store


def create_signing_key(admin: Principal, doctor_id: str) -> dict[str, Any]:
    from cryptography import x509  # heavy: only an admin's key creation needs it

    doctor = store.get_doctor(doctor_id)
    if doctor is None:
        raise NotFound("doctor")
    if doctor.signing_key_id:
        raise Conflict("the doctor already has a signing key")
    try:
        key = aws.kms().create_key(
            KeySpec="RSA_2048",
            KeyUsage="SIGN_VERIFY",
            Description=f"Signing key of doctor {doctor_id}",
            Tags=[{"TagKey": "doctor_id", "TagValue": doctor_id}],
        )["KeyMetadata"]
        aws.kms().create_alias(
            AliasName=f"alias/{settings().resource_prefix}-doctor-{doctor_id}", TargetKeyId=key["KeyId"]
        )
        public_key = aws.kms().get_public_key(KeyId=key["KeyId"])["PublicKey"]
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("kms") from exc
    pem = issue_doctor_certificate(public_key, doctor.full_name, doctor_id, settings().clinic_name)
    serial = format(x509.load_pem_x509_certificate(pem.encode()).serial_number, "X")
    store.update_doctor(doctor, signing_key_id=key["KeyId"], certificate_pem=pem, certificate_serial=serial)
    log_event("signing_key_created", doctor_id=doctor_id, by=admin.user_id)
    # The KMS key's id stays inside (it is AWS's handle, of no use to a person): the certificate is the answer.
    return {"doctor_id": doctor_id, "certificate_serial": serial}
