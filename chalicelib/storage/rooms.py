"""Rooms: made with the payment, read by their id, their states and attendance; signaling connections."""

from __future__ import annotations

from typing import Any

from chalicelib.storage.access import get_or_none, update_if
from chalicelib.storage.errors import store_errors
from chalicelib.storage.tables import Connection, OneTimeToken, Room


def new_room(room_id: str, **values: Any) -> Room:
    """A room not stored yet: the payment's transaction puts it (storage.payments.confirm_paid)."""
    return Room(room_id, **values)


def get_room(room_id: str) -> Room | None:
    return get_or_none(Room, room_id)


def close_room(room_id: str) -> bool:
    """Closed now (a cancelled booking); False when it already was."""
    return update_if(Room(room_id), [Room.status.set("closed")], Room.room_id.exists() & (Room.status != "closed"))


def consume_ticket(ticket_hash: str, owner: str, now_iso: str, now_dt) -> bool:  # type: ignore[no-untyped-def]
    """Use a signaling ticket once: it must be this room's and role's, unused and not expired."""
    return update_if(
        OneTimeToken(ticket_hash),
        [OneTimeToken.used_at.set(now_dt)],
        OneTimeToken.token_hash.exists()
        & (OneTimeToken.kind == "signaling")
        & (OneTimeToken.user_id == owner)
        & OneTimeToken.used_at.does_not_exist()
        & (OneTimeToken.expires_at > now_dt),
    )


def save_connection(connection_id: str, room_id: str, role: str, connected_at: str, ttl: Any) -> None:
    with store_errors():
        Connection(connection_id, room_id=room_id, role=role, connected_at=connected_at, ttl=ttl).save()


def get_connection(connection_id: str) -> Connection | None:
    return get_or_none(Connection, connection_id, consistent=False)


def delete_connection(connection_id: str) -> None:
    with store_errors():
        Connection(connection_id).delete()


def connections_in(room_id: str) -> list[Connection]:
    with store_errors():
        return list(Connection.by_room.query(room_id))


def mark_joined(room: Room, role: str, at: str) -> None:
    """The first time each participant is present while the room is open."""
    attribute = Room.doctor_joined_at if role == "doctor" else Room.patient_joined_at
    if getattr(room, attribute.attr_name):
        return  # already recorded: no write for every relayed message
    update_if(room, [attribute.set(at)], attribute.does_not_exist())


def set_room_status(room_id: str, status: str, allowed_from: tuple[str, ...]) -> bool:
    return update_if(Room(room_id), [Room.status.set(status)], Room.room_id.exists() & Room.status.is_in(*allowed_from))
