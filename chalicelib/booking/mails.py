"""The emails a booking sends, composed for the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.config import settings
from chalicelib.outbox import compose
from chalicelib.scheduling.times import from_key
from chalicelib.storage.tables import Booking, OutboxMessage, Room
from chalicelib.timefmt import clinic_zone, format_datetime


def times(booking: Booking) -> dict[str, Any]:
    """The start in the clinic's zone, and in the patient's when it differs."""
    starts = from_key(booking.starts_at)
    clinic = clinic_zone()
    text = format_datetime(starts, clinic)
    patient_text = None
    if booking.patient_time_zone:
        zone = ZoneInfo(booking.patient_time_zone)
        if starts.astimezone(zone).utcoffset() != starts.astimezone(clinic).utcoffset():
            patient_text = format_datetime(starts, zone)
    minutes = int((from_key(booking.ends_at) - starts).total_seconds() // 60)
    return {"starts_text": text, "patient_starts_text": patient_text, "minutes": minutes}


def _common(booking: Booking) -> dict[str, Any]:
    return {
        "full_name": booking.patient_name,
        "doctor_name": booking.doctor_name,
        "specialty": booking.specialty_name,
        "price": int(booking.price),
        "booking_url": f"{settings().public_base_url}/bookings/{booking.booking_id}",
        **times(booking),
    }


def paid_mail(
    booking: Booking, payment: dict[str, Any], room: Room, token: str, documents_token: str | None = None
) -> OutboxMessage:
    from chalicelib.documents.addresses import address
    from chalicelib.payments.checkout import description, receipt
    from chalicelib.rooms.links import room_url

    url = room_url(room.room_id, token)
    paid_at = payment.get("captured_at") or payment.get("created_at") or dt.datetime.now(dt.UTC).isoformat()
    item = receipt(booking)["items"][0]
    context = {
        **_common(booking),
        "room_url": url,
        "documents_address": address(documents_token),
        "receipt": {
            "payment_id": payment["id"],
            "paid_at": format_datetime(dt.datetime.fromisoformat(str(paid_at).replace("Z", "+00:00"))),
            "item": item["description"],
            "amount": item["amount"]["value"],
            "vat_code": item["vat_code"],
            "description": description(booking),
            "seller": settings().clinic_name,
            "email": booking.patient_email,
        },
        "attachments": [
            {
                "kind": "ics",
                "event": {
                    "uid": booking.booking_id,
                    "starts_at": from_key(booking.starts_at).isoformat(),
                    "ends_at": from_key(booking.ends_at).isoformat(),
                    "summary": f"Телемедицинская консультация: {booking.doctor_name}",
                    "description": f"{booking.specialty_name}. Ссылка для входа: {url}",
                    "url": url,
                    "organizer": settings().documents_address,
                },
            }
        ],
    }
    return compose(booking.patient_email, "booking_paid", context)


def refund_mail(booking: Booking, reason: str, value: str) -> OutboxMessage:
    return compose(booking.patient_email, "booking_refunded", {**_common(booking), "reason": reason, "amount": value})


def cancelled_mail(booking: Booking) -> OutboxMessage:
    return compose(
        booking.patient_email,
        "booking_cancelled",
        {**_common(booking), "deadline_hours": settings().refund_deadline_hours},
    )


def reminder_mail(booking: Booking) -> OutboxMessage:
    return compose(booking.patient_email, "reminder", _common(booking))


def conclusion_mail(booking: Booking, pdf_key: str) -> OutboxMessage:
    from chalicelib import resources

    context = {
        **_common(booking),
        "attachments": [
            {
                "kind": "s3",
                "bucket": resources.documents_bucket(),
                "key": pdf_key,
                "filename": "zaklyuchenie.pdf",
                "content_type": "application/pdf",
            }
        ],
    }
    return compose(booking.patient_email, "conclusion", context)
