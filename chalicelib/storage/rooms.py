"""Rooms: made with the payment, read by their id, their states and attendance; signaling connections."""

from __future__ import annotations

from typing import Any

from chalicelib.storage.access import get_or_none, update_if
from chalicelib.storage.errors import store_errors
from chalicelib.storage.tables import Connection, OneTimeToken, Room
from chalicelib.storage.transactions import Transaction, TransactionRefused


def new_room(room_id: str, **values: Any) -> Room:
    """A room not stored yet: the payment's transaction puts it (storage.payments.confirm_paid)."""
    return Room(room_id, **values)


def get_room(room_id: str) -> Room | None:
    return get_or_none(Room, room_id)


def close_room(room_id: str) -> bool:
    """Closed now (a cancelled booking); False when it already was."""
    return update_if(Room(room_id), [Room.status.set("closed")], Room.room_id.exists() & (Room.status != "closed"))


def consume_ticket(ticket_hash: str, room_id: str, roles: tuple[str, ...], now_dt: Any) -> str | None:
    """Use a signaling ticket once: it must be this room's (for one of `roles`), unused and not expired.
    The role it was issued for (from the write's ReturnValues), or None when refused."""
    ticket = OneTimeToken(ticket_hash)
    if not update_if(
        ticket,
        [OneTimeToken.used_at.set(now_dt)],
        OneTimeToken.token_hash.exists()
        & (OneTimeToken.kind == "signaling")
        & OneTimeToken.user_id.is_in(*(f"{room_id}:{role}" for role in roles))
        & OneTimeToken.used_at.does_not_exist()
        & (OneTimeToken.expires_at > now_dt),
    ):
        return None
    return str(ticket.user_id).removeprefix(f"{room_id}:")


def save_connection(connection_id: str, room_id: str, role: str, connected_at: str, ttl: Any) -> None:
    with store_errors():
        Connection(connection_id, room_id=room_id, role=role, connected_at=connected_at, ttl=ttl).save()


def get_connection(connection_id: str) -> Connection | None:
    return get_or_none(Connection, connection_id, consistent=False)


def delete_connection(connection_id: str) -> None:
    with store_errors():
        Connection(connection_id).delete()


def take_connection(connection_id: str) -> Connection | None:
    """Delete the connection and return it as it was (DeleteItem's ALL_OLD); None when it was not there."""
    with store_errors():
        data = Connection._get_connection().delete_item(connection_id, return_values="ALL_OLD")
    old = data.get("Attributes")
    return Connection.from_raw_data(old) if old else None


def connections_in(room_id: str) -> list[Connection]:
    with store_errors():
        return list(Connection.by_room.query(room_id))


def mark_joined(room: Room, role: str, at: str) -> None:
    """The first time each participant is present while the room is open."""
    attribute = Room.doctor_joined_at if role == "doctor" else Room.patient_joined_at
    if getattr(room, attribute.attr_name):
        return  # already recorded: no write for every relayed message
    update_if(room, [attribute.set(at)], attribute.does_not_exist())


def mark_present(room: Room, roles: list[str], at: str) -> None:
    """`mark_joined` for several participants in one write; each time is set only where none is yet."""
    names = {"doctor_joined_at" if role == "doctor" else "patient_joined_at" for role in roles}
    missing = [getattr(Room, name) for name in sorted(names) if not getattr(room, name)]
    if missing:
        update_if(room, [attribute.set(attribute | at) for attribute in missing], Room.room_id.exists())


def set_room_status(room_id: str, status: str, allowed_from: tuple[str, ...]) -> bool:
    return update_if(Room(room_id), [Room.status.set(status)], Room.room_id.exists() & Room.status.is_in(*allowed_from))


class LinkChanged(Exception):
    """The room changed since it was read (another resend, a close): the link was not replaced."""


def end_consultation(room_id: str, at: str, by: str) -> bool:
    """The consultation is over (the room stays until its close); False when it already was, or the room closed."""
    return update_if(
        Room(room_id),
        [Room.ended_at.set(at), Room.ended_by.set(by)],
        Room.room_id.exists() & (Room.status != "closed") & Room.ended_at.does_not_exist(),
    )


def end_by_conclusion(room_id: str, at: str) -> bool:
    """The conclusion is signed: over for good (a doctor's earlier end becomes the conclusion's, not reopenable)."""
    return update_if(
        Room(room_id),
        [Room.ended_at.set(Room.ended_at | at), Room.ended_by.set("conclusion")],
        Room.room_id.exists(),
    )


def reopen_consultation(room_id: str) -> bool:
    """Undo the doctor's own end while the room is open and no conclusion is signed; False otherwise."""
    return update_if(
        Room(room_id),
        [Room.ended_at.remove(), Room.ended_by.remove()],
        Room.room_id.exists() & (Room.status != "closed") & (Room.ended_by == "doctor"),
    )


def replace_link(room: Room, new_token_hash: str, at: str, day: str, sends: int, mail: Any) -> None:
    """The new link's hash and the count of sends, with its email, in one transaction; only if the room is as
    read (the same token, the same last send, not closed): two resends at once make one email, not two."""
    last = Room.link_sent_at.does_not_exist() if room.link_sent_at is None else Room.link_sent_at == room.link_sent_at
    tx = Transaction()
    tx.update(
        "room",
        Room(room.room_id),
        [
            Room.token_hash.set(new_token_hash),
            Room.link_sent_at.set(at),
            Room.link_sent_day.set(day),
            Room.link_sends.set(sends),
        ],
        condition=Room.room_id.exists()
        & (Room.token_hash == room.token_hash)
        & (Room.status != "closed")
        & Room.ended_at.does_not_exist()
        & last,
    )
    tx.put("mail", mail)
    try:
        tx.commit()
    except TransactionRefused:
        raise LinkChanged() from None
