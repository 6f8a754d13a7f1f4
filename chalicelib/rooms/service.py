"""Who may enter a room, and what the room page needs to know."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from chalicelib.accounts.sessions import Principal
from chalicelib.accounts.tokens import token_hash
from chalicelib.booking import access
from chalicelib.clock import now
from chalicelib.config import retention_schedule, settings
from chalicelib.documents.addresses import address
from chalicelib.errors import DomainError, NotFound
from chalicelib.rooms import turn
from chalicelib.scheduling.times import from_key, in_zone
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import rooms as room_store
from chalicelib.storage.accounts import put_token
from chalicelib.storage.records import Room
from chalicelib.timefmt import clinic_zone, format_datetime

TICKET_LIFE = dt.timedelta(minutes=2)
PATIENT, DOCTOR, GUEST = "patient", "doctor", "guest"


class RoomClosed(DomainError):
    code = "room_closed"


class GuestTooEarly(DomainError):
    """The guest's link works only in the room's window: from the lobby's opening."""

    code = "guest_too_early"


def enter(room_id: str, token: str | None, principal: Principal | None) -> tuple[Room, str]:
    """The room and the caller's role in it: the link's holder is the patient, the guest's link's the guest (only
    in the room's window); its doctor by session."""
    room = room_store.get_room(room_id)
    if room is None:
        raise NotFound("room")
    if token:
        if len(token) <= 128 and secrets.compare_digest(token_hash(token), room.token_hash):
            return room, PATIENT
        if len(token) <= 128 and is_guest_token(room, token):
            current = now()
            if room_status(room, current) == "closed":
                raise RoomClosed()
            if room_status(room, current) == "scheduled":
                raise GuestTooEarly(when=format_datetime(from_key(room.lobby_at)))
            return room, GUEST
        raise NotFound("room")
    if principal is None or not access.may_enter_room(principal, room):
        raise NotFound("room")
    return room, DOCTOR if access.is_doctor_of(principal, room) else PATIENT


def is_guest_token(room: Room, token: str) -> bool:
    """The guest's own link (rooms.guests), while the guest is invited: not once revoked or removed."""
    return bool(
        room.guest_status == "invited"
        and room.guest_token_hash
        and secrets.compare_digest(token_hash(token), str(room.guest_token_hash))
    )


def room_status(room: Room, current: dt.datetime) -> str:
    """The room's state as the timer set it; closed, too, once its time is over."""
    if room.status != "closed" and current >= from_key(room.closes_at):
        return "closed"
    return str(room.status)


def issue_ticket(room: Room, role: str) -> str:
    """A single-use ticket (2 minutes) that lets this participant's WebSocket in. A guest's names the guest's link
    (its hash): once that guest is revoked or removed, the ticket admits nobody, not even as the next guest."""
    ticket = secrets.token_urlsafe(24)
    expires = now() + TICKET_LIFE
    put_token(
        token_hash(ticket),
        "signaling",
        f"{room.room_id}:{role}" + (f":{room.guest_token_hash}" if role == "guest" else ""),
        expires_at=expires,
        ttl=retention_schedule().used_tokens.after(expires),  # then removed by TTL
    )
    return ticket


def info(room: Room, role: str) -> dict[str, Any]:
    current = now()
    status = room_status(room, current)
    if status == "closed":
        raise RoomClosed()
    zone = clinic_zone()
    booking = booking_store.get_booking(room.booking_id)
    completed = booking is not None and booking.status == "completed"
    if room.ended_at is not None or completed:
        status = "ended"  # over before the close: no ticket, no ICE servers, no camera
    data: dict[str, Any] = {
        "room_id": room.room_id,
        "status": status,
        "role": role,
        "opens_at": in_zone(room.lobby_at, zone),
        "starts_at": in_zone(room.starts_at, zone),
        "ends_at": in_zone(room.ends_at, zone),
        "closes_at": in_zone(room.closes_at, zone),
        "server_time": current.astimezone(zone).isoformat(),
        "doctor": _doctor(booking, role),
        "patient": {"full_name": booking.patient_name} if booking and role == DOCTOR else None,
        "booking_id": room.booking_id if role == DOCTOR else None,
        # Where the patient sends documents by email: this booking's own address (the general one attaches nothing).
        "documents_address": _documents_address(booking) if role == PATIENT else None,
        "guest": {"name": room.guest_name, "relation": room.guest_relation} if room.guest_status == "invited" else None,
        "video": {"max_bitrate": settings().video_max_bitrate, "max_width": 1920, "max_height": 1080, "max_fps": 30},
        "ice_servers": [],
        "signaling_url": None,
    }
    if status == "ended":
        data["booking_id"] = room.booking_id if role != GUEST else None  # the patient's way to the conclusion
        data["ended_at"] = (
            dt.datetime.fromisoformat(room.ended_at).astimezone(zone).isoformat() if room.ended_at else None
        )
        data["conclusion_ready"] = completed
        data["can_reopen"] = role == DOCTOR and not completed and room.ended_by == "doctor"
    if status in ("lobby", "open"):
        data["ice_servers"] = turn.ice_servers(f"{room.room_id}-{role}")
        data["signaling_url"] = f"{settings().signaling_url}?room={room.room_id}&ticket={issue_ticket(room, role)}"
    return data


def _doctor(booking: Any, role: str) -> dict[str, Any] | None:
    """The doctor's name; the specialty to the doctor and the patient (it says what the patient is treated for)."""
    if booking is None:
        return None
    return {"full_name": booking.doctor_name, "specialty": booking.specialty_name if role != GUEST else None}


def _documents_address(booking: Any) -> str | None:
    return address(booking.documents_token) if booking is not None else None
