"""A room for a paid booking and its link: unguessable, bound to one booking, stored hashed."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from chalicelib.accounts.tokens import token_hash
from chalicelib.config import settings
from chalicelib.scheduling.times import from_key, to_key
from chalicelib.storage import rooms as store
from chalicelib.storage.records import Booking, Room


def new_room(booking: Booking, created_at: dt.datetime) -> tuple[Room, str]:
    """(room, the raw token for the patient's link)."""
    s = settings()
    token = secrets.token_urlsafe(24)  # 192 bits
    starts, ends = from_key(booking.starts_at), from_key(booking.ends_at)
    room = store.new_room(
        uuid.uuid4().hex,
        booking_id=booking.booking_id,
        patient_id=booking.patient_id,
        doctor_id=booking.doctor_id,
        token_hash=token_hash(token),
        status="scheduled",
        lobby_at=to_key(starts - dt.timedelta(minutes=s.room_lobby_minutes)),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        closes_at=to_key(ends + dt.timedelta(minutes=s.room_grace_minutes)),
        created_at=created_at.isoformat(),
    )
    return room, token


def room_url(room_id: str, token: str) -> str:
    """The patient's link. The token sits in the fragment: browsers never send it to a server or a log."""
    return f"{settings().public_base_url}/room/{room_id}#token={token}"
