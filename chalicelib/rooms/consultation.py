"""The consultation's end before the room closes: the doctor's «Завершить», the conclusion signed, and the
doctor's way back in after ending by mistake (while the room is open and no conclusion is signed)."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.sessions import Principal
from chalicelib.booking import access, rules
from chalicelib.clock import now
from chalicelib.errors import DomainError, NotFound
from chalicelib.logs import log_event
from chalicelib.rooms.service import RoomClosed, room_status
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import rooms as store
from chalicelib.storage.records import Room

BY_DOCTOR, BY_CONCLUSION = "doctor", "conclusion"


class NotReopenable(DomainError):
    """The conclusion is signed: the consultation is over for good."""

    code = "consultation_not_reopenable"


def is_ended(room: Room, booking_status: str | None) -> bool:
    """Over before the close: ended on the room, or the booking completed (its conclusion signed)."""
    return room.ended_at is not None or booking_status == rules.COMPLETED


def _doctors_room(principal: Principal, room_id: str) -> Room:
    room = store.get_room(room_id)
    if room is None or not access.is_doctor_of(principal, room):
        raise NotFound("room")
    if room_status(room, now()) == "closed":
        raise RoomClosed()
    return room


def end(principal: Principal, room_id: str) -> dict[str, Any]:
    """The doctor ends the consultation. Ending an ended one changes nothing and answers the same."""
    room = _doctors_room(principal, room_id)
    at = now().isoformat()
    if store.end_consultation(room.room_id, at, BY_DOCTOR):
        log_event("consultation_ended", room_id=room.room_id, booking_id=room.booking_id, by=BY_DOCTOR)
        return {"ended_at": at, "ended_by": BY_DOCTOR}
    fresh = store.get_room(room.room_id) or room
    if fresh.ended_at is None:  # the room closed in between
        raise RoomClosed()
    return {"ended_at": fresh.ended_at, "ended_by": fresh.ended_by}


def reopen(principal: Principal, room_id: str) -> dict[str, Any]:
    """The doctor goes back in: the consultation is not over after all. Not after the conclusion is signed."""
    room = _doctors_room(principal, room_id)
    booking = booking_store.get_booking(room.booking_id)
    if booking is not None and booking.status == rules.COMPLETED:
        raise NotReopenable()
    if room.ended_at is not None and not store.reopen_consultation(room.room_id):
        fresh = store.get_room(room.room_id)
        if fresh is None or room_status(fresh, now()) == "closed":
            raise RoomClosed()
        if fresh.ended_at is not None:
            raise NotReopenable()
    log_event("consultation_reopened", room_id=room.room_id, booking_id=room.booking_id)
    return {"ended_at": None, "ended_by": None}


def end_by_conclusion(room_id: str | None) -> None:
    """The conclusion is signed: the room (if any) says the consultation is over, and refuses the call."""
    if room_id and store.end_by_conclusion(room_id, now().isoformat()):
        log_event("consultation_ended", room_id=room_id, by=BY_CONCLUSION)
