"""Signaling connections and room attendance."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib.storage.errors import condition_failed, store_errors
from chalicelib.storage.tables import Connection, OneTimeToken, Room


def consume_ticket(ticket_hash: str, owner: str, now_iso: str, now_dt) -> bool:  # type: ignore[no-untyped-def]
    """Use a signaling ticket once: it must be this room's and role's, unused and not expired."""
    try:
        with store_errors():
            OneTimeToken(ticket_hash).update(
                actions=[OneTimeToken.used_at.set(now_dt)],
                condition=OneTimeToken.token_hash.exists()
                & (OneTimeToken.kind == "signaling")
                & (OneTimeToken.user_id == owner)
                & OneTimeToken.used_at.does_not_exist()
                & (OneTimeToken.expires_at > now_dt),
            )
        return True
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise


def save_connection(connection: Connection) -> None:
    with store_errors():
        connection.save()


def get_connection(connection_id: str) -> Connection | None:
    with store_errors():
        try:
            return Connection.get(connection_id)
        except Connection.DoesNotExist:
            return None


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
    try:
        with store_errors():
            room.update(actions=[attribute.set(at)], condition=attribute.does_not_exist())
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def set_room_status(room_id: str, status: str, allowed_from: tuple[str, ...]) -> bool:
    try:
        with store_errors():
            Room(room_id).update(
                actions=[Room.status.set(status)], condition=Room.room_id.exists() & Room.status.is_in(*allowed_from)
            )
        return True
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
