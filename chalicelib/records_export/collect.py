"""Everything the clinic holds about one patient, read through the repositories, as data.json says it
(the shape is described in chalicelib/templates/export/about.txt, which goes into the archive with it).

Times are the clinic's (ISO 8601 with its offset); files are named by their path inside the archive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chalicelib.accounts.cards import patient_view
from chalicelib.config import settings
from chalicelib.documents.files import safe_filename
from chalicelib.errors import NotFound
from chalicelib.legal import consents as legal
from chalicelib.scheduling.times import from_key
from chalicelib.sms import consent as sms_consent
from chalicelib.storage import accounts as account_store
from chalicelib.storage import audit as audit_store
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import conclusions as conclusion_store
from chalicelib.storage import documents as document_store
from chalicelib.storage import legal as legal_store
from chalicelib.storage.records import Attachment, Booking, Conclusion, User
from chalicelib.timefmt import clinic_zone

FORMAT = "telemed-data-export/1"
ALL = 10_000  # a patient's whole history: bookings, audit entries


@dataclass(frozen=True)
class File:
    """One file of the archive: bytes we have (`data`) or an object of the documents bucket (`s3_key`)."""

    path: str
    data: bytes | None = None
    s3_key: str | None = None


def _local(moment: str | dt.datetime | None) -> str | None:
    if moment is None:
        return None
    value = moment if isinstance(moment, dt.datetime) else dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return value.astimezone(clinic_zone()).isoformat()


def _plain(value: Any) -> Any:
    """A stored value (maps, lists, numbers of DynamoDB) as JSON has it."""
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        value = as_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        return _local(value)
    return value


def _folder(booking: Booking) -> str:
    return f"{from_key(booking.starts_at).astimezone(clinic_zone()):%Y-%m-%d_%H%M}_{booking.booking_id[:8]}"


def _sms_reminders(user: User) -> dict[str, Any]:
    """The consent to SMS reminders as the personal page shows it (on or off, the number), its time in the clinic's
    zone."""
    shown = sms_consent.view(user)
    return {"enabled": shown["enabled"], "phone": shown["phone"], "changed_at": _local(shown["changed_at"])}


def profile(patient_id: str) -> dict[str, Any]:
    user = account_store.get_user(patient_id)
    if user is None:
        raise NotFound("patient")
    return {
        **patient_view(user),  # the card as the registry and the patient see it, then what only the archive adds
        "created_at": _local(user.created_at),
        "password_changed_at": _local(user.password_changed_at),
        "signed_documents": _plain(user.signed_documents),
        "sms_reminders": _sms_reminders(user),
    }


def consents(patient_id: str) -> tuple[list[dict[str, Any]], list[File]]:
    found, files = [], []
    for consent in reversed(legal_store.consents_of(patient_id)):  # oldest first
        entry = legal.view(consent, with_text=True)
        path = f"consents/{consent.signed_at[:10]}_{consent.kind}_v{consent.version}_{consent.consent_id[:8]}.html"
        files.append(File(path, data=(entry.get("html") or "").encode("utf-8")))
        found.append({**entry, "file": path})
    return found, files


def _payment(booking: Booking) -> dict[str, Any] | None:
    if not booking.payment_id:
        return None
    # 54-FZ receipts, when the booking carries them (a map by kind: prepayment, closing, refund).
    carried = _plain(getattr(booking, "receipts", None) or [])
    receipts = list(carried.values()) if isinstance(carried, dict) else carried
    return {
        "booking_id": booking.booking_id,
        "payment_id": booking.payment_id,
        "status": booking.payment_status,
        "amount": int(booking.price),
        "currency": "RUB",
        "paid_at": _local(booking.paid_at),
        "refund": {
            "id": booking.refund_id,
            "status": booking.refund_status,
            "reason": booking.refund_reason,
            "refunded_at": _local(booking.refunded_at),
        }
        if booking.refund_id
        else None,
        "receipts": receipts,
    }


def _booking(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.booking_id,
        "status": booking.status,
        "starts_at": _local(from_key(booking.starts_at)),
        "ends_at": _local(from_key(booking.ends_at)),
        "doctor_name": booking.doctor_name,
        "specialty": booking.specialty_name,
        "price": int(booking.price),
        "email": booking.patient_email,
        "created_at": _local(booking.created_at),
        "cancelled_at": _local(booking.cancelled_at),
    }


def _document(booking: Booking, attachment: Attachment) -> tuple[dict[str, Any], File]:
    path = f"documents/{_folder(booking)}/{attachment.attachment_id[:8]}_{safe_filename(attachment.filename)}"
    entry = {
        "id": attachment.attachment_id,
        "booking_id": booking.booking_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": int(attachment.size),
        "source": attachment.source,
        "uploaded_at": _local(attachment.created_at),
        "file": path,
    }
    return entry, File(path, s3_key=attachment.s3_key)


def _conclusion(booking: Booking, item: Conclusion) -> tuple[dict[str, Any], File]:
    path = f"conclusions/{_folder(booking)}.pdf"
    entry = {
        "booking_id": booking.booking_id,
        "doctor_name": booking.doctor_name,
        "specialty": booking.specialty_name,
        "signed_at": _local(item.signed_at),
        "certificate_serial": item.certificate_serial,
        "pdf_sha256": item.pdf_sha256,
        "complaints": item.complaints,
        "anamnesis": item.anamnesis,
        "examination": item.examination,
        "conclusion": item.conclusion,
        "recommendations": item.recommendations,
        "file": path,
    }
    return entry, File(path, s3_key=item.pdf_key)


def consultations(patient_id: str) -> tuple[dict[str, list[dict[str, Any]]], list[File]]:
    """Bookings, their payments, the documents sent for them and the signed conclusions (drafts are the
    doctor's work in progress, not yet a record)."""
    found: dict[str, list[dict[str, Any]]] = {"bookings": [], "payments": [], "documents": [], "conclusions": []}
    files: list[File] = []
    for booking in reversed(booking_store.bookings_of_patient(patient_id, limit=ALL)):  # oldest first
        found["bookings"].append(_booking(booking))
        if (payment := _payment(booking)) is not None:
            found["payments"].append(payment)
        for attachment in document_store.ready_attachments(booking.booking_id):
            entry, file = _document(booking, attachment)
            found["documents"].append(entry)
            files.append(file)
        item = conclusion_store.get_conclusion(booking.booking_id)
        if item is not None and item.status == "signed" and item.pdf_key:
            entry, file = _conclusion(booking, item)
            found["conclusions"].append(entry)
            files.append(file)
    return found, files


def access_log(patient_id: str) -> list[dict[str, Any]]:
    """Who else read this patient's medical data, when and what (the staff's own addresses are theirs: left out)."""
    return [
        {
            "at": _local(entry.at_id.split("#")[0]),
            "actor_name": entry.actor_name,
            "actor_roles": entry.actor_roles.split(",") if entry.actor_roles else [],
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
        }
        for entry in audit_store.of_patient(patient_id, limit=ALL)
        if entry.actor_id != patient_id
    ]


def everything(patient_id: str, generated_at: dt.datetime) -> tuple[dict[str, Any], list[File]]:
    """data.json's content and the files it names."""
    signed, consent_files = consents(patient_id)
    held, files = consultations(patient_id)
    s = settings()
    data = {
        "format": FORMAT,
        "generated_at": _local(generated_at),
        "clinic": {"name": s.clinic_name, "address": s.clinic_address, "time_zone": s.clinic_timezone},
        "profile": profile(patient_id),
        "consents": signed,
        **held,
        "access_log": access_log(patient_id),
    }
    return data, [*consent_files, *files]


def counts(data: Mapping[str, Any], kinds: Iterable[str]) -> dict[str, int]:
    return {kind: len(data.get(kind) or []) for kind in kinds}
