"""The shapes of bookings and slots in the API's answers: what the people who see them are shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.booking import rules
from chalicelib.documents.addresses import address
from chalicelib.scheduling.times import in_zone, slot_id, to_key
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import rooms as room_store
from chalicelib.storage.records import Booking, Slot
from chalicelib.timefmt import clinic_zone


def slot_view(slot: Slot) -> dict[str, Any]:
    zone = clinic_zone()
    return {
        "id": slot_id(slot.doctor_id, slot.starts_at),
        "starts_at": in_zone(slot.starts_at, zone),
        "ends_at": in_zone(slot.ends_at, zone),
    }


def shown_status(booking: Booking, current: dt.datetime) -> str:
    """An unpaid hold whose time ran out is expired, whatever was last written."""
    if rules.hold_has_expired(booking.status, booking.hold_expires_at, to_key(current)):
        return rules.EXPIRED
    return str(booking.status)


def booking_view(booking: Booking, current: dt.datetime, viewer_id: str | None = None) -> dict[str, Any]:
    """`viewer_id`: who looks; the booking's own documents address is shown to its patient only."""
    zone = clinic_zone()
    status = shown_status(booking, current)
    return {
        "id": booking.booking_id,
        "status": status,
        "starts_at": in_zone(booking.starts_at, zone),
        "ends_at": in_zone(booking.ends_at, zone),
        "hold_expires_at": in_zone(booking.hold_expires_at, zone)
        if booking.hold_expires_at and status in rules.UNPAID
        else None,
        "price": int(booking.price),
        "currency": "RUB",
        "email": booking.patient_email,
        "patient": {"id": booking.patient_id, "full_name": booking.patient_name},
        "patient_time_zone": booking.patient_time_zone,
        "doctor": {"id": booking.doctor_id, "full_name": booking.doctor_name, "specialty": booking.specialty_name},
        "created_at": booking.created_at,
        "payment_id": booking.payment_id,
        "payment_status": booking.payment_status,
        "refund_status": booking.refund_status,
        "room_id": booking.room_id if status in (rules.PAID, rules.IN_PROGRESS, rules.COMPLETED) else None,
        "room_opens_at": in_zone(booking.room_opens_at, zone) if booking.room_opens_at else None,
        "room_closes_at": in_zone(booking.room_closes_at, zone) if booking.room_closes_at else None,
        "room_entry": room_entry(booking, status, current),
        "cancellation": cancellation_view(booking, status, current),
        "documents_address": address(booking.documents_token)
        if viewer_id is not None and viewer_id == booking.patient_id and status in (rules.PAID, rules.IN_PROGRESS)
        else None,
        "receipts": receipts_view(booking),
    }


RECEIPT_ORDER = ("prepayment", "closing", "refund")


def receipts_view(booking: Booking) -> list[dict[str, Any]]:
    """The booking's 54-FZ receipts (chalicelib/payments/receipts.py keeps them), oldest first, times in the
    clinic's zone."""
    kept = booking_store.receipts_of(booking)
    found = [kept[kind] for kind in RECEIPT_ORDER if kind in kept]
    return [
        {
            "kind": r["kind"],
            "status": r["status"],
            "at": dt.datetime.fromisoformat(str(r["at"])).astimezone(clinic_zone()).isoformat(),
            "amount": int(r["amount"]),
            "receipt_id": r.get("receipt_id"),
        }
        for r in sorted(found, key=lambda r: str(r["at"]))
    ]


def room_entry(booking: Booking, status: str, current: dt.datetime) -> str | None:
    """Whether the room can be entered now (from its lobby's opening to its close), so the page computes nothing."""
    if not booking.room_id or not booking.room_opens_at or not booking.room_closes_at:
        return None
    if status == rules.COMPLETED:
        return "over"
    if status not in (rules.PAID, rules.IN_PROGRESS):
        return None
    key = to_key(current)
    if key < booking.room_opens_at:
        return "later"
    if key >= booking.room_closes_at:
        return "over"
    # Within the room's time (one booking of a patient at most, as a rule): the doctor may have ended it already.
    room = room_store.get_room(booking.room_id)
    return "over" if room is not None and room.ended_at is not None else "open"


def cancellation_view(booking: Booking, status: str, current: dt.datetime) -> dict[str, Any] | None:
    """What cancelling would do now, by the refund rule, so the patient sees it before confirming (and the
    browser never computes it): `refund` full / none (null while unpaid: nothing was paid), the `deadline` of
    a full refund in the clinic's zone, and the rule's `deadline_hours`. None once a booking cannot be cancelled."""
    if status not in (*rules.UNPAID, rules.PAID):
        return None
    refund = None if status in rules.UNPAID else ("full" if rules.full_refund_due(booking, current) else "none")
    return {
        "refund": refund,
        "deadline": rules.refund_deadline(booking).astimezone(clinic_zone()).isoformat(),
        "deadline_hours": rules.refund_deadline_hours(),
    }
