"""The emails a booking sends, composed for the outbox (the paid one, with the receipt and the room's link,
is composed by payments.checkout from `booking_context`)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import resources
from chalicelib.booking import rules
from chalicelib.config import settings
from chalicelib.outbox import compose
from chalicelib.scheduling.times import from_key
from chalicelib.storage.records import Booking, OutboxMessage
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


def booking_context(booking: Booking) -> dict[str, Any]:
    """What every booking email says: who, with whom, when, the price, the booking's page, the refund rule."""
    return {
        "full_name": booking.patient_name,
        "doctor_name": booking.doctor_name,
        "specialty": booking.specialty_name,
        "price": int(booking.price),
        "booking_url": f"{settings().public_base_url}/bookings/{booking.booking_id}",
        "deadline_hours": rules.refund_deadline_hours(),
        **times(booking),
    }


def refund_mail(booking: Booking, reason: str, value: str) -> OutboxMessage:
    return compose(
        booking.patient_email, "booking_refunded", {**booking_context(booking), "reason": reason, "amount": value}
    )


def cancelled_mail(booking: Booking) -> OutboxMessage:
    return compose(booking.patient_email, "booking_cancelled", booking_context(booking))


def reminder_mail(booking: Booking) -> OutboxMessage:
    return compose(booking.patient_email, "reminder", booking_context(booking))


def conclusion_mail(booking: Booking, pdf_key: str) -> OutboxMessage:
    context = {
        **booking_context(booking),
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
