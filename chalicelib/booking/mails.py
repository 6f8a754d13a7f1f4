"""The emails a booking sends, composed for the outbox (the paid one, with the receipt and the room's link,
is composed by payments.checkout from `booking_context`)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import resources
from chalicelib.booking import rules
from chalicelib.config import settings
from chalicelib.i18n import t
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


def moved_mail(booking: Booking, previous: Booking, moves: int, by_staff: bool) -> OutboxMessage:
    """The booking moved (`booking`: at its new time, `previous`: as it was): the new time, and the calendar's
    event again — same UID, SEQUENCE = the move count — so calendars move it. The room's link is not in it (only
    its hash is kept); the event points to the booking's page."""
    context = booking_context(booking)
    context.update(
        {
            "previous_starts_text": times(previous)["starts_text"],
            "by_staff": by_staff,
            "attachments": [
                calendar_event(
                    booking,
                    context["booking_url"],
                    t("calendar.moved", specialty=booking.specialty_name, url=context["booking_url"]),
                    sequence=moves,
                )
            ],
        }
    )
    return compose(booking.patient_email, "booking_moved", context)


def calendar_event(booking: Booking, url: str, description: str, sequence: int = 0) -> dict[str, Any]:
    """The booking as a calendar event attached to its email (an .ics, chalicelib/calendar_invite.py): the booking's
    id is its UID, so a moved one (a higher `sequence`) replaces the event already in the calendar."""
    return {
        "kind": "ics",
        "event": {
            "uid": booking.booking_id,
            "starts_at": from_key(booking.starts_at).isoformat(),
            "ends_at": from_key(booking.ends_at).isoformat(),
            "summary": t("calendar.summary", doctor=booking.doctor_name),
            "description": description,
            "url": url,
            "organizer": settings().documents_address,
            **({"sequence": sequence} if sequence else {}),
        },
    }


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
