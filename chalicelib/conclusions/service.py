"""Writing, signing and delivering the conclusion; reading it back."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import audit, aws, outbox, resources
from chalicelib.accounts.sessions import Principal
from chalicelib.booking import access, rules
from chalicelib.booking.mails import conclusion_mail
from chalicelib.clock import now
from chalicelib.conclusions.document import render
from chalicelib.config import settings
from chalicelib.errors import DomainError, NotFound, Unavailable
from chalicelib.logs import log_event
from chalicelib.payments import receipts
from chalicelib.rooms.consultation import end_by_conclusion
from chalicelib.scheduling.times import from_key
from chalicelib.signing.ca import ca_certificate
from chalicelib.signing.describe import certificate_line
from chalicelib.signing.pades import KmsDocumentSigner
from chalicelib.storage import accounts as account_store
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import conclusions as store
from chalicelib.storage import doctors as doctor_store
from chalicelib.storage.records import Booking, Conclusion
from chalicelib.timefmt import format_date, format_datetime

FIELDS = ("complaints", "anamnesis", "examination", "conclusion", "recommendations")
WRITABLE = (rules.PAID, rules.IN_PROGRESS, rules.NO_SHOW_PATIENT)


class NotReady(DomainError):
    code = "conclusion_not_ready"


class AlreadySigned(DomainError):
    code = "conclusion_signed"


class SigningFailed(DomainError):
    code = "signing_failed"


class NoSigningKey(DomainError):
    code = "no_signing_key"


class Empty(DomainError):
    code = "conclusion_empty"


def _booking_of_doctor(principal: Principal, booking_id: str) -> Booking:
    booking = booking_store.get_booking(booking_id)
    if booking is None or not access.may_write_conclusion(principal, booking):
        raise NotFound("booking")
    return booking


def _get(booking_id: str) -> Conclusion | None:
    return store.get_conclusion(booking_id)


def view(item: Conclusion | None, booking: Booking) -> dict[str, Any]:
    base = {
        "booking_id": booking.booking_id,
        "status": item.status if item else "empty",
        "updated_at": item.updated_at if item else None,
        "signed_at": item.signed_at if item else None,
        "certificate_serial": item.certificate_serial if item else None,
        "last_error": item.last_error if item else None,
    }
    base.update({name: (getattr(item, name) or "") if item else "" for name in FIELDS})
    return base


def draft(principal: Principal, booking_id: str, ip: str, user_agent: str) -> dict[str, Any]:
    booking = _booking_of_doctor(principal, booking_id)
    item = _get(booking_id)
    audit.record(principal, "read_conclusion", "conclusion", booking_id, booking.patient_id, ip, user_agent)
    return view(item, booking)


def _writable(booking: Booking) -> None:
    if booking.status not in WRITABLE or now() < from_key(booking.starts_at):
        raise NotReady()


def save_draft(principal: Principal, booking_id: str, fields: dict[str, str | None]) -> dict[str, Any]:
    booking = _booking_of_doctor(principal, booking_id)
    return view(_save_draft(booking, fields), booking)


def _save_draft(booking: Booking, fields: dict[str, str | None]) -> Conclusion:
    item = _get(booking.booking_id)
    if item is not None and item.status == "signed":
        raise AlreadySigned()
    _writable(booking)
    values = {name: (fields.get(name) or None) for name in FIELDS}
    # Never overwrites a signed conclusion, even in a race with «Подписать и отправить».
    return store.save_draft(
        booking.booking_id,
        doctor_id=booking.doctor_id,
        patient_id=booking.patient_id,
        updated_at=now().isoformat(),
        **values,
    )


def sign_and_send(principal: Principal, booking_id: str, fields: dict[str, str | None]) -> dict[str, Any]:
    """Render, sign with the doctor's KMS key, store, email; the booking becomes completed."""
    booking = _booking_of_doctor(principal, booking_id)
    item = _save_draft(booking, fields)
    saved = view(item, booking)
    if not (saved.get("conclusion") or "").strip():
        raise Empty()
    doctor = doctor_store.get_doctor(booking.doctor_id)
    if doctor is None or not doctor.signing_key_id or not doctor.certificate_pem:
        raise NoSigningKey()
    patient = account_store.get_user(booking.patient_id)
    signed_at = now()
    s = settings()
    from cryptography.hazmat.primitives import serialization  # heavy, and only signing needs it

    ca = ca_certificate()
    pdf = render(
        clinic_name=s.clinic_name,
        clinic_address=s.clinic_address,
        booking_id=booking_id,
        patient={
            "full_name": booking.patient_name,
            "birth_date": format_date(dt.date.fromisoformat(patient.birth_date))
            if patient and patient.birth_date
            else "—",
            "card_number": (patient.card_number if patient else None) or "—",
        },
        doctor={"full_name": doctor.full_name, "specialty": doctor.specialty_name},
        consultation_time=format_datetime(from_key(booking.starts_at)),
        sections={name: saved.get(name) or "" for name in FIELDS},
        signer={
            "name": doctor.full_name,
            "when": format_datetime(signed_at),
            "certificate": certificate_line(doctor.certificate_pem),
        },
        verify_url=f"{s.public_base_url}/verify",
    )
    ca_pem = ca.public_bytes(serialization.Encoding.PEM).decode()
    try:
        signed = KmsDocumentSigner(doctor.signing_key_id, doctor.certificate_pem, ca_pem).sign_pdf(
            pdf, reason=f"Заключение по консультации {booking_id}", location=s.clinic_address
        )
    except Exception as exc:  # KMS or the signer failed: the draft stays, with a message
        _note_error(booking_id, "signing_failed")
        log_event("conclusion_signing_failed", booking_id=booking_id, error=type(exc).__name__)
        raise SigningFailed() from exc
    key = f"conclusions/{booking_id}/conclusion-{signed_at.strftime('%Y%m%dT%H%M%SZ')}.pdf"
    _store_pdf(key, signed)
    digest = hashlib.sha256(signed).hexdigest()
    mail = conclusion_mail(booking, key)
    # Signing renders the service (booking.rules.consultation_rendered): its closing receipt is due, once.
    job = receipts.closing_job(booking, signed_at.isoformat()) if booking.payment_id else None
    if not store.record_signed(
        booking,
        signed_at=signed_at.isoformat(),
        pdf_key=key,
        pdf_sha256=digest,
        certificate_serial=doctor.certificate_serial,
        booking_status=rules.RENDERED,
        booking_from=WRITABLE,
        mail=mail,
        receipt_job=job,
        receipt=receipts.entry(receipts.CLOSING, "pending", signed_at.isoformat(), booking) if job else None,
    ):
        raise AlreadySigned()
    _end_consultation(booking)
    outbox.deliver_written(mail, files={key: signed})  # the PDF is at hand: not fetched back from S3
    if job is not None:
        outbox.deliver_written(job)  # the closing receipt at once; when YooKassa fails, deliver_due tries again
    log_event("conclusion_signed", booking_id=booking_id, doctor_id=doctor.doctor_id)
    # The item as the transaction left it, not read back: the fields are those signed into the PDF.
    item.status, item.signed_at, item.pdf_key, item.pdf_sha256 = "signed", signed_at.isoformat(), key, digest
    item.certificate_serial, item.last_error = doctor.certificate_serial, None
    return view(item, booking)


def _end_consultation(booking: Booking) -> None:
    """Signed: the room says the consultation is over and refuses the call. Signing stands if this write fails:
    the room reads the booking as completed, which says the same."""
    try:
        end_by_conclusion(booking.room_id)
    except Unavailable:
        log_event("consultation_end_not_recorded", booking_id=booking.booking_id)


def _note_error(booking_id: str, code: str) -> None:
    store.note_error(booking_id, code)


def _store_pdf(key: str, data: bytes) -> None:
    try:
        aws.s3().put_object(
            Bucket=resources.documents_bucket(),
            Key=key,
            Body=data,
            ContentType="application/pdf",
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=resources.data_key_alias(),
        )
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("s3") from exc


def pdf_for(principal: Principal, booking_id: str, ip: str, user_agent: str) -> tuple[str, bytes]:
    """The signed PDF, for its patient or its doctor (every read by the doctor is audited)."""
    booking = booking_store.get_booking(booking_id)
    allowed = booking is not None and access.may_read_conclusion(principal, booking)
    item = _get(booking_id) if allowed else None
    if booking is None or item is None or item.status != "signed" or not item.pdf_key:
        raise NotFound("conclusion")
    audit.record(principal, "read_conclusion_pdf", "conclusion", booking_id, booking.patient_id, ip, user_agent)
    try:
        data = aws.s3().get_object(Bucket=resources.documents_bucket(), Key=item.pdf_key)["Body"].read()
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("s3") from exc
    return f"zaklyuchenie-{booking.starts_at[:10]}.pdf", data
