"""A guest in the call: one per booking — a legal representative of a minor, a relative, an interpreter.

The patient (or the registry) invites the guest by email; the guest's link is a capability of its own (a token
stored hashed on the room, in the link's fragment as the patient's), good only while the room is in its window
(lobby or open, not ended) and until it is revoked (by whoever may invite) or the doctor removes the guest. It
opens the call and nothing else: no session, so no booking, documents or conclusion. Sending the invitation again
makes a new link, within the room link's limits (rooms.resend). The guest's presence is on the room
(`guest_joined_at`, `guest_left_at`) and its first join in the audit log (rooms.signaling).
"""

from __future__ import annotations

import datetime as dt
import secrets
from types import SimpleNamespace
from typing import Any

from chalicelib import audit
from chalicelib.accounts.sessions import Principal
from chalicelib.accounts.tokens import token_hash
from chalicelib.booking import access, rules
from chalicelib.booking.mails import times
from chalicelib.clock import now
from chalicelib.errors import Conflict, NotFound
from chalicelib.i18n import t
from chalicelib.logs import log_event
from chalicelib.outbox import compose, deliver_written
from chalicelib.rooms.consultation import is_ended
from chalicelib.rooms.links import room_url
from chalicelib.rooms.resend import ConsultationEnded, TooSoon, next_new_invitation, next_send
from chalicelib.rooms.service import RoomClosed, room_status
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import room_guests as store
from chalicelib.storage import rooms as room_store
from chalicelib.storage.records import Booking, Room
from chalicelib.timefmt import clinic_zone, format_datetime

RELATIONS = ("representative", "relative", "interpreter")
INVITED, REVOKED, REMOVED = "invited", "revoked", "removed"


class GuestExists(Conflict):
    """One guest per booking: revoke the invitation before inviting another."""

    code = "guest_exists"


class NoGuest(Conflict):
    """No guest is invited now (never, or the invitation was revoked or the guest removed)."""

    code = "no_guest"


class GuestTooSoon(TooSoon):
    message_key = "errors.guest_invite_too_soon"


def _may_invite(principal: Principal, booking: Booking) -> bool:
    """Its patient, and the registry for the patient (as the room's link is sent again)."""
    return access.is_patient_of(principal, booking) or access.is_staff(principal)


def _booking_room(principal: Principal, booking_id: str) -> tuple[Booking, Room]:
    booking = booking_store.get_booking(booking_id)
    if booking is None or not _may_invite(principal, booking) or not booking.room_id:
        raise NotFound("booking")
    room = room_store.get_room(booking.room_id)
    if room is None or booking.status not in (rules.PAID, rules.IN_PROGRESS, rules.COMPLETED):
        raise NotFound("booking")
    return booking, room


def _refuse_unless_open(booking: Booking, room: Room, current: dt.datetime) -> None:
    if room_status(room, current) == "closed":
        raise RoomClosed()
    if is_ended(room, str(booking.status)):
        raise ConsultationEnded()


def _mail(booking: Booking, room: Room, email: str, name: str, relation: str, token: str) -> Any:
    """The invitation: who invites, with which doctor, when, and the link (its token only in the fragment)."""
    context = {
        "full_name": name,
        "patient_name": booking.patient_name,
        "relation": t(f"guest.relation.{relation}"),
        "doctor_name": booking.doctor_name,
        "starts_text": times(booking)["starts_text"],
        "room_url": room_url(room.room_id, token),
    }
    return compose(email, "guest_invite", context)


def invite(principal: Principal, booking_id: str, name: str, email: str, relation: str) -> dict[str, Any]:
    """The one guest of the booking, and its email; 409 while another guest is invited."""
    booking, room = _booking_room(principal, booking_id)
    current = now()
    _refuse_unless_open(booking, room, current)
    if room.guest_status in (INVITED, REMOVED):
        raise GuestExists()
    _refuse_until(next_new_invitation(room.guest_sent_day, room.guest_sends, current), current)
    day = current.astimezone(clinic_zone()).date().isoformat()
    sends = int(room.guest_sends or 0) + 1 if room.guest_sent_day == day else 1
    token = secrets.token_urlsafe(24)
    mail = _mail(booking, room, email, name, relation, token)
    values = {
        "name": name,
        "email": email,
        "relation": relation,
        "token_hash": token_hash(token),
        "invited_at": current.isoformat(),
        "invited_by": principal.user_id,
        "sent_at": current.isoformat(),
        "sent_day": day,
        "sends": sends,
    }
    try:
        store.invite(room, values, mail)
    except store.GuestChanged:
        raise GuestExists() from None
    deliver_written(mail)
    log_event("guest_invited", booking_id=booking.booking_id, relation=relation)
    fresh = room_store.get_room(room.room_id) or room
    return view(fresh, current)


def send_again(principal: Principal, booking_id: str) -> dict[str, Any]:
    """The invitation again, as a new link; within the room link's limits (429 with when)."""
    booking, room = _booking_room(principal, booking_id)
    current = now()
    _refuse_unless_open(booking, room, current)
    if room.guest_status != INVITED:
        raise NoGuest()
    _refuse_if_too_soon(room, current)
    token = secrets.token_urlsafe(24)
    day = current.astimezone(clinic_zone()).date().isoformat()
    sends = int(room.guest_sends or 0) + 1 if room.guest_sent_day == day else 1
    mail = _mail(booking, room, str(room.guest_email), str(room.guest_name), str(room.guest_relation), token)
    try:
        store.replace_link(room, token_hash(token), current.isoformat(), day, sends, mail)
    except store.GuestChanged:
        fresh = room_store.get_room(room.room_id)
        if fresh is not None:
            _refuse_if_too_soon(fresh, current)
        raise Conflict() from None
    deliver_written(mail)
    log_event("guest_invited_again", booking_id=booking.booking_id, sends_today=sends)
    room.guest_sent_at, room.guest_sent_day, room.guest_sends = current.isoformat(), day, sends
    return view(room, current)


def _refuse_if_too_soon(room: Room, current: dt.datetime) -> None:
    _refuse_until(next_send(room.guest_sent_at, room.guest_sent_day, room.guest_sends, current), current)


def _refuse_until(later: dt.datetime | None, current: dt.datetime) -> None:
    if later is not None:
        seconds = max(1, int((later - current).total_seconds() + 0.999))
        raise GuestTooSoon(retry_after=seconds, when=format_datetime(later), data={"next_at": later.isoformat()})


def revoke(principal: Principal, booking_id: str) -> dict[str, Any]:
    """The invitation withdrawn by whoever may invite: the link stops working, the guest leaves the call."""
    _booking, room = _booking_room(principal, booking_id)
    return _end(room, REVOKED, principal)


def remove(principal: Principal, room_id: str) -> dict[str, Any]:
    """The doctor removes the guest from the call: the link stops working, and no other guest may be invited."""
    room = room_store.get_room(room_id)
    if room is None or not access.is_doctor_of(principal, room):
        raise NotFound("room")
    return _end(room, REMOVED, principal)


def _end(room: Room, status: str, principal: Principal) -> dict[str, Any]:
    current = now()
    if room.guest_status != INVITED:
        raise NoGuest()
    if not store.end(room, status, current.isoformat()):
        raise Conflict()
    audit.record(principal, f"guest_{status}", "room", room.room_id, room.patient_id)
    log_event(f"guest_{status}", room_id=room.room_id)
    return view(room_store.get_room(room.room_id) or room, current)


def get(principal: Principal, booking_id: str) -> dict[str, Any]:
    """What the booking's page shows of its guest."""
    _booking, room = _booking_room(principal, booking_id)
    return view(room, now())


def view(room: Room, current: dt.datetime) -> dict[str, Any]:
    zone = clinic_zone()

    def local(value: str | None) -> str | None:
        return dt.datetime.fromisoformat(value).astimezone(zone).isoformat() if value else None

    later = next_send(room.guest_sent_at, room.guest_sent_day, room.guest_sends, current)
    guest = None
    if room.guest_status:
        guest = {
            "name": room.guest_name,
            "email": room.guest_email,
            "relation": room.guest_relation,
            "status": room.guest_status,
            "invited_at": local(room.guest_invited_at),
            "ended_at": local(room.guest_ended_at),
            "joined_at": local(room.guest_joined_at),
            "left_at": local(room.guest_left_at),
            "next_send_at": later.astimezone(zone).isoformat() if later and room.guest_status == INVITED else None,
        }
    return {"guest": guest, "may_invite": room.guest_status in (None, REVOKED)}


def record_joined(room: Room) -> None:
    """The guest's first presence in the open room, in the audit log (the room records the time)."""
    actor = SimpleNamespace(user_id=f"guest:{room.room_id}", full_name=room.guest_name or "—", roles=("guest",))
    audit.record(actor, "guest_joined", "room", room.room_id, room.patient_id)
