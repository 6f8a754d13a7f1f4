"""«Отправить ссылку ещё раз»: the room's link by email again, to the booking's patient.

The server keeps only the link token's hash, so it cannot send the same link twice: each resend makes a new
link and the earlier ones stop working (a link that went astray is no longer of use to anyone). The patient
can always enter from the cabinet too. The limits are here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from chalicelib.accounts.sessions import Principal
from chalicelib.accounts.tokens import token_hash
from chalicelib.booking import access, rules
from chalicelib.booking.mails import booking_context
from chalicelib.clock import now
from chalicelib.errors import Conflict, NotFound, TooManyAttempts
from chalicelib.logs import log_event
from chalicelib.outbox import compose, deliver_written
from chalicelib.rooms.consultation import is_ended
from chalicelib.rooms.links import room_url
from chalicelib.rooms.service import RoomClosed, room_status
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import rooms as store
from chalicelib.storage.records import Room
from chalicelib.timefmt import clinic_zone, format_datetime

PAUSE = dt.timedelta(minutes=5)  # between two sends of one booking's link
PER_DAY = 5  # sends of one booking's link in a clinic day (the payment's own email not counted)


class TooSoon(TooManyAttempts):
    message_key = "errors.room_link_too_soon"


class ConsultationEnded(Conflict):
    code = "consultation_ended"


def next_allowed(room: Room, current: dt.datetime) -> dt.datetime | None:
    """When this room's link may be sent again; None: now."""
    return next_send(room.link_sent_at, room.link_sent_day, room.link_sends, current)


def next_send(sent_at: str | None, sent_day: str | None, sends: Any, current: dt.datetime) -> dt.datetime | None:
    """When a link last sent at `sent_at` (`sends` on the clinic day `sent_day`) may be sent again; None: now.
    The same limits for the guest's invitation (rooms.guests)."""
    if sent_at is None:
        return None
    zone = clinic_zone()
    day = current.astimezone(zone).date().isoformat()
    later = dt.datetime.fromisoformat(sent_at) + PAUSE
    if sent_day == day and int(sends or 0) >= PER_DAY:
        tomorrow = dt.datetime.combine(current.astimezone(zone).date() + dt.timedelta(days=1), dt.time(), zone)
        later = max(later, tomorrow)
    return later if later > current else None


def next_new_invitation(sent_day: str | None, sends: Any, current: dt.datetime) -> dt.datetime | None:
    """When a new guest invitation (one revoked before) may go: the day's sends count it, the pause does not (a wrong
    address is corrected at once); None: now."""
    return next_send((current - PAUSE).isoformat(), sent_day, sends, current)


def send_again(principal: Principal, booking_id: str) -> dict[str, Any]:
    """A new link by email (its patient, or staff for the patient); refused within the limits, with when."""
    booking = booking_store.get_booking(booking_id)
    if booking is None or not access.may_resend_room_link(principal, booking) or not booking.room_id:
        raise NotFound("booking")
    room = store.get_room(booking.room_id)
    current = now()
    if room is None or booking.status not in (rules.PAID, rules.IN_PROGRESS, rules.COMPLETED):
        raise NotFound("booking")
    if room_status(room, current) == "closed":
        raise RoomClosed()
    if is_ended(room, str(booking.status)):
        raise ConsultationEnded()
    _refuse_if_too_soon(room, current)
    token = secrets.token_urlsafe(24)
    zone = clinic_zone()
    day = current.astimezone(zone).date().isoformat()
    sends = int(room.link_sends or 0) + 1 if room.link_sent_day == day else 1
    mail = compose(
        booking.patient_email, "room_link", {**booking_context(booking), "room_url": room_url(room.room_id, token)}
    )
    try:
        store.replace_link(room, token_hash(token), current.isoformat(), day, sends, mail)
    except store.LinkChanged:
        fresh = store.get_room(room.room_id)
        if fresh is not None:
            _refuse_if_too_soon(fresh, current)
        raise Conflict() from None
    deliver_written(mail)
    log_event("room_link_sent_again", booking_id=booking.booking_id, sends_today=sends)
    room.link_sent_at, room.link_sent_day, room.link_sends = current.isoformat(), day, sends
    return link_view(room, current)


def _refuse_if_too_soon(room: Room, current: dt.datetime) -> None:
    later = next_allowed(room, current)
    if later is not None:
        seconds = max(1, int((later - current).total_seconds() + 0.999))
        raise TooSoon(retry_after=seconds, when=format_datetime(later), data={"next_at": later.isoformat()})


def link_view(room: Room, current: dt.datetime) -> dict[str, Any]:
    """What the booking's page says of resending: when last sent and when it may be sent again."""
    zone = clinic_zone()
    later = next_allowed(room, current)
    return {
        "sent_at": dt.datetime.fromisoformat(room.link_sent_at).astimezone(zone).isoformat()
        if room.link_sent_at
        else None,
        "next_at": later.astimezone(zone).isoformat() if later else None,
    }
