"""A room's one guest (rooms.guests): invited with its email in one transaction, its link replaced, revoked or
removed, its presence recorded. Every change is conditional on the guest as read."""

from __future__ import annotations

from typing import Any

from chalicelib.storage.access import update_if
from chalicelib.storage.tables import Connection, Room
from chalicelib.storage.transactions import Transaction, TransactionRefused

INVITED = "invited"


class GuestChanged(Exception):
    """The room's guest is not as read (another invitation, a revocation, a resend at once): nothing written."""


def _room_open_for_guests() -> Any:
    return Room.room_id.exists() & (Room.status != "closed") & Room.ended_at.does_not_exist()


def invite(room: Room, values: dict[str, Any], mail: Any) -> None:
    """The guest and the invitation's email, in one transaction; only while the room has no invited guest (one
    revoked before may be replaced) and the consultation is not over."""
    tx = Transaction()
    tx.update(
        "room",
        Room(room.room_id),
        [getattr(Room, f"guest_{name}").set(value) for name, value in sorted(values.items())]
        + [Room.guest_status.set(INVITED), Room.guest_ended_at.remove(), Room.guest_joined_at.remove()]
        + [Room.guest_left_at.remove(), Room.guest_connections.remove()],
        condition=_room_open_for_guests() & (Room.guest_status.does_not_exist() | (Room.guest_status == "revoked")),
    )
    tx.put("mail", mail)
    try:
        tx.commit()
    except TransactionRefused:
        raise GuestChanged() from None


def replace_link(room: Room, new_token_hash: str, at: str, day: str, sends: int, mail: Any) -> None:
    """The invitation again: a new link (the earlier one stops working) and its email, only if the guest and its
    last send are as read — two resends at once make one email."""
    tx = Transaction()
    tx.update(
        "room",
        Room(room.room_id),
        [
            Room.guest_token_hash.set(new_token_hash),
            Room.guest_sent_at.set(at),
            Room.guest_sent_day.set(day),
            Room.guest_sends.set(sends),
        ],
        condition=_room_open_for_guests()
        & (Room.guest_status == INVITED)
        & (Room.guest_token_hash == room.guest_token_hash)
        & (Room.guest_sent_at == room.guest_sent_at),
    )
    tx.put("mail", mail)
    try:
        tx.commit()
    except TransactionRefused:
        raise GuestChanged() from None


def end(room: Room, status: str, at: str) -> bool:
    """Revoked or removed: the link stops working and its connections are refused (each connection of the room reads
    it again before relaying). False when the guest was not the invited one read."""
    if not update_if(
        Room(room.room_id),
        [Room.guest_status.set(status), Room.guest_ended_at.set(at)],
        Room.room_id.exists() & (Room.guest_status == INVITED) & (Room.guest_token_hash == room.guest_token_hash),
    ):
        return False
    ids = set(room.doctor_connections or ()) | set(room.patient_connections or ()) | set(room.guest_connections or ())
    for connection_id in sorted(ids):
        update_if(Connection(connection_id), [Connection.room_changed_at.set(at)], Connection.connection_id.exists())
    return True


def left(room_id: str, at: str) -> None:
    """The guest's page left the room (its last connection gone)."""
    update_if(Room(room_id), [Room.guest_left_at.set(at)], Room.room_id.exists())
