"""«Перенести»: a paid booking moves to another free time, keeping its payment and its room's link.

Its patient may move it until the refund deadline (24 h before the start, booking.rules), staff at any time before
its start. The same doctor's slot, or another doctor's of the same specialty; only at the same price
in this step. One transaction frees the old slot, books the new one, moves the booking and its room (new times, the
same room and link) and queues the email and the timer's job (chalicelib/timer.py: the old execution stopped, the
new one started, retried by the outbox while Step Functions is unavailable). This module composes booking, slots,
the room and the timer, so that booking/ needs none of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib import outbox, timer
from chalicelib.accounts.sessions import Principal
from chalicelib.booking import access, rules
from chalicelib.booking.holds import SlotTaken
from chalicelib.booking.mails import moved_mail
from chalicelib.booking.shapes import booking_view, slot_view
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.errors import DomainError, NotFound
from chalicelib.logs import log_event
from chalicelib.scheduling.times import from_key, parse_slot_id, to_key
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import slots as slot_store
from chalicelib.storage.batch import get_many
from chalicelib.storage.records import Booking, Slot


class NotReschedulable(DomainError):
    """Only a paid booking whose call is still ahead moves (`status` says what it is now)."""

    code = "not_reschedulable"


class RescheduleTooLate(NotReschedulable):
    message_key = "errors.reschedule_too_late"


class RescheduleSameTime(NotReschedulable):
    message_key = "errors.reschedule_same_time"


class RescheduleOtherSpecialty(NotReschedulable):
    message_key = "errors.reschedule_other_specialty"


class RescheduleChangedMeanwhile(NotReschedulable):
    message_key = "errors.reschedule_changed"


class PriceDiffers(DomainError):
    code = "price_differs"


class SlotTakenMeanwhile(SlotTaken):
    message_key = "errors.reschedule_slot_taken"


def patient_may_move(booking: rules.Consultation, at: dt.datetime) -> bool:
    """Its patient moves a booking up to the same deadline as a full refund (exactly at it too)."""
    return at <= rules.refund_deadline(booking)


def keys(booking_id: str, slot_id: str) -> list[Any]:
    """The booking and the new slot, read in one round trip."""
    parsed = parse_slot_id(slot_id)
    found: list[Any] = [booking_store.booking_key(booking_id)]
    return [*found, slot_store.slot_key(*parsed)] if parsed else found


def room_times(slot: Slot) -> dict[str, str]:
    """The room's times for the slot (as rooms.links makes them for a new room)."""
    s = settings()
    starts, ends = from_key(slot.starts_at), from_key(slot.ends_at)
    return {
        "lobby_at": to_key(starts - dt.timedelta(minutes=s.room_lobby_minutes)),
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "closes_at": to_key(ends + dt.timedelta(minutes=s.room_grace_minutes)),
    }


def reschedule(principal: Principal, booking_id: str, slot_id: str) -> dict[str, Any]:
    """Move the booking to `slot_id`: the booking as it is afterwards. Refusals leave everything as it was."""
    loaded = get_many(keys(booking_id, slot_id))
    booking = loaded.get(booking_store.booking_key(booking_id))
    if not isinstance(booking, Booking) or not access.may_cancel(principal, booking):
        raise NotFound("booking")  # the same people as cancelling: its patient, and staff for the patient
    current = now()
    now_key = to_key(current)
    by_staff = access.cancels_for_patient(principal, booking)
    if booking.status != rules.PAID or not booking.room_id or booking.starts_at <= now_key:
        raise NotReschedulable(status=booking.status)
    if not by_staff and not patient_may_move(booking, current):
        raise RescheduleTooLate(hours=rules.refund_deadline_hours())
    parsed = parse_slot_id(slot_id)
    slot = loaded.get(slot_store.slot_key(*parsed)) if parsed else None
    if not isinstance(slot, Slot):  # no longer offered (the schedule changed): to the person, a time taken
        raise SlotTaken(slot_id, data={"nearest": []})
    _check_slot(booking, slot, now_key)
    moved = _at_slot(booking, slot, current)
    moves = timer.generation(booking) + 1
    mail = moved_mail(moved, booking, moves, by_staff)
    job = timer.move_job(booking, moves, current.isoformat())
    try:
        booking_store.move_to_slot(booking, slot, room_times(slot), current.isoformat(), now_key, [mail, job])
    except booking_store.MoveRefused as refused:
        if refused.slot:
            raise SlotTakenMeanwhile(slot_id, data={"nearest": _nearest_free(slot, now_key)}) from None
        raise RescheduleChangedMeanwhile(status=booking.status) from None
    outbox.deliver_written(mail)
    outbox.deliver_written(job)  # the timer's swap; when Step Functions fails, the outbox runs it again later
    log_event("booking_moved", booking_id=booking.booking_id, by=principal.user_id, moves=moves)
    return booking_view(moved, current, principal.user_id)


def _check_slot(booking: Booking, slot: Slot, now_key: str) -> None:
    if slot.doctor_id == booking.doctor_id and slot.starts_at == booking.starts_at:
        raise RescheduleSameTime()
    if slot.doctor_id != booking.doctor_id and slot.specialty_name != booking.specialty_name:
        raise RescheduleOtherSpecialty()
    if int(slot.price) != int(booking.price):
        raise PriceDiffers(price=int(booking.price), new_price=int(slot.price))
    free = slot.status == "free" or rules.hold_has_expired(str(slot.status), slot.hold_expires_at, now_key)
    if slot.starts_at <= now_key or not free:
        raise SlotTaken(slot.starts_at, data={"nearest": _nearest_free(slot, now_key)})


def _nearest_free(slot: Slot, now_key: str) -> list[dict[str, Any]]:
    after = max(slot.starts_at, now_key)
    until = to_key(from_key(after) + dt.timedelta(days=14))
    return [slot_view(s) for s in slot_store.free_slots_after(slot.doctor_id, after, until, now_key, limit=3)]


def _at_slot(booking: Booking, slot: Slot, current: dt.datetime) -> Booking:
    """The booking as the move writes it (for the email and the answer; not stored from here)."""
    times = room_times(slot)
    return booking_store.new_booking(
        booking.booking_id,
        **{
            **{k: v for k, v in booking.attribute_values.items() if k != "booking_id"},
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "doctor_id": slot.doctor_id,
            "doctor_name": slot.doctor_name,
            "specialty_name": slot.specialty_name,
            "room_opens_at": times["lobby_at"],
            "room_closes_at": times["closes_at"],
            "moves": timer.generation(booking) + 1,
            "moved_at": current.isoformat(),
            "reminded_at": None,
            "updated_at": current.isoformat(),
        },
    )
