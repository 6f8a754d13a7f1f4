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


def close_room(room_id: str, at: str) -> bool:
    """Closed now (a cancelled booking), and its connections told to read it again; False when it already was."""
    room = Room(room_id)
    if not update_if(room, [Room.status.set("closed")], Room.room_id.exists() & (Room.status != "closed")):
        return False
    _room_changed(room, at)
    return True


def consume_ticket(
    ticket_hash: str, room_id: str, roles: tuple[str, ...], now_dt: Any
) -> tuple[str, str | None] | None:
    """Use a signaling ticket once: it must be this room's (for one of `roles`), unused and not expired.
    The role it was issued for and, for a guest, the hash of the guest's link it was issued to (from the write's
    ReturnValues); None when refused."""
    ticket = OneTimeToken(ticket_hash)
    named = OneTimeToken.user_id.is_in(*(f"{room_id}:{role}" for role in roles if role != "guest"))
    if "guest" in roles:
        named = named | OneTimeToken.user_id.startswith(f"{room_id}:guest:")
    if not update_if(
        ticket,
        [OneTimeToken.used_at.set(now_dt)],
        OneTimeToken.token_hash.exists()
        & (OneTimeToken.kind == "signaling")
        & named
        & OneTimeToken.used_at.does_not_exist()
        & (OneTimeToken.expires_at > now_dt),
    ):
        return None
    role, _, guest_link = str(ticket.user_id).removeprefix(f"{room_id}:").partition(":")
    return role, guest_link or None


def connections_of(room: Room, role: str | None = None) -> set[str]:
    """The room's signaling connections (of one role), as read with the room; a guest's only while invited."""
    roles: tuple[str, ...] = ("doctor", "patient", "guest") if role is None else (role,)
    if room.guest_status != "invited":
        roles = tuple(name for name in roles if name != "guest")
    return {cid for name in roles for cid in (getattr(room, f"{name}_connections") or ())}


def add_connection(connection: Connection, now_key: str, guest_link: str | None = None) -> bool:
    """The connection recorded, and in its room's list, in one transaction; False (nothing written) when the room
    is not there, has ended, closed, or its time is over (`now_key`: now, as the room's times are written). A guest's
    only while the guest whose link (`guest_link`, its hash) the ticket was issued to is still the invited one."""
    if connection.role == "guest" and not guest_link:
        return False  # a guest's ticket always names the guest's link
    tx = Transaction()
    guest = (
        (Room.guest_status == "invited") & (Room.guest_token_hash == guest_link)
        if connection.role == "guest"
        else Room.room_id.exists()
    )
    tx.update(
        "room",
        Room(connection.room_id),
        [_connections_attribute(connection.role).add({connection.connection_id})],
        condition=Room.room_id.exists()
        & Room.ended_at.does_not_exist()
        & (Room.status != "closed")
        & (Room.closes_at > now_key)
        & guest,
    )
    tx.put("connection", connection, condition=Connection.connection_id.does_not_exist())
    try:
        tx.commit()
    except TransactionRefused:
        return False
    return True


def new_connection(connection_id: str, room_id: str, role: str, connected_at: str, ttl: Any) -> Connection:
    return Connection(connection_id, room_id=room_id, role=role, connected_at=connected_at, ttl=ttl)


def get_connection(connection_id: str) -> Connection | None:
    """Read strongly: a mark written by the room's end must be seen by the very next message."""
    return get_or_none(Connection, connection_id)


def take_connection(connection_id: str) -> Connection | None:
    """Delete the connection and return it as it was (DeleteItem's ALL_OLD); None when it was not there."""
    with store_errors():
        data = Connection._get_connection().delete_item(connection_id, return_values="ALL_OLD")
    old = data.get("Attributes")
    return Connection.from_raw_data(old) if old else None


def leave_room(connection: Connection) -> Room | None:
    """The connection out of its room's list; the room as it is then (None when it is gone)."""
    room = Room(connection.room_id)
    action = _connections_attribute(connection.role).delete({connection.connection_id})
    return room if update_if(room, [action], Room.room_id.exists()) else None


def start_relaying(connection_id: str, peers: set[str], closes_at: str, seen_change: str | None = None) -> bool:
    """The connection saw its room open and not ended: it relays without reading the room until `closes_at`, to
    `peers` (added to those it knows). Only if no change was marked since (`seen_change`: the mark read with the
    room); else False."""
    actions: list[Any] = [
        Connection.relaying.set(True),
        Connection.closes_at.set(closes_at),
        Connection.room_changed_at.remove(),
    ]
    if peers:
        actions.append(Connection.peers.add(peers))
    unchanged = (
        Connection.room_changed_at.does_not_exist()
        if seen_change is None
        else Connection.room_changed_at == seen_change
    )
    return update_if(Connection(connection_id), actions, Connection.connection_id.exists() & unchanged)


def add_peer(connection_id: str, peer_id: str, room_id: str, role: str) -> bool:
    """`peer_id` joins the peers of `connection_id`, only if that one is of this room and role (False otherwise)."""
    return update_if(
        Connection(connection_id),
        [Connection.peers.add({peer_id})],
        Connection.connection_id.exists() & (Connection.room_id == room_id) & (Connection.role == role),
    )


def forget_peer(connection_id: str, peer_id: str) -> None:
    """`peer_id` is gone: no longer among the peers of `connection_id` (if that one is still there)."""
    update_if(Connection(connection_id), [Connection.peers.delete({peer_id})], Connection.connection_id.exists())


def _room_changed(room: Room, at: str) -> None:
    """After a change that may refuse signaling: each connection of the room reads it again before relaying."""
    for connection_id in sorted(connections_of(room)):
        update_if(Connection(connection_id), [Connection.room_changed_at.set(at)], Connection.connection_id.exists())


def _connections_attribute(role: str) -> Any:
    return {"doctor": Room.doctor_connections, "guest": Room.guest_connections}.get(role, Room.patient_connections)


def mark_joined(room: Room, role: str, at: str) -> bool:
    """The first time each participant is present while the room is open (True: recorded now)."""
    attribute = {"doctor": Room.doctor_joined_at, "guest": Room.guest_joined_at}.get(role, Room.patient_joined_at)
    if getattr(room, attribute.attr_name):
        return False  # already recorded: no write for every relayed message
    return update_if(room, [attribute.set(at)], attribute.does_not_exist())


def mark_present(room: Room, roles: list[str], at: str) -> None:
    """`mark_joined` for several participants in one write; each time is set only where none is yet."""
    names = {"doctor_joined_at" if role == "doctor" else "patient_joined_at" for role in roles}
    missing = [getattr(Room, name) for name in sorted(names) if not getattr(room, name)]
    if missing:
        update_if(room, [attribute.set(attribute | at) for attribute in missing], Room.room_id.exists())


def set_room_status(room_id: str, status: str, allowed_from: tuple[str, ...]) -> Room | None:
    """The room as written (None when its status was not one of `allowed_from`)."""
    room = Room(room_id)
    return (
        room
        if update_if(room, [Room.status.set(status)], Room.room_id.exists() & Room.status.is_in(*allowed_from))
        else None
    )


class LinkChanged(Exception):
    """The room changed since it was read (another resend, a close): the link was not replaced."""


def end_consultation(room_id: str, at: str, by: str) -> bool:
    """The consultation is over (the room stays until its close), and its connections told to read it again;
    False when it already was, or the room closed."""
    room = Room(room_id)
    if not update_if(
        room,
        [Room.ended_at.set(at), Room.ended_by.set(by)],
        Room.room_id.exists() & (Room.status != "closed") & Room.ended_at.does_not_exist(),
    ):
        return False
    _room_changed(room, at)
    return True


def end_by_conclusion(room_id: str, at: str) -> bool:
    """The conclusion is signed: over for good (a doctor's earlier end becomes the conclusion's, not reopenable);
    its connections are told to read the room again."""
    room = Room(room_id)
    if not update_if(
        room,
        [Room.ended_at.set(Room.ended_at | at), Room.ended_by.set("conclusion")],
        Room.room_id.exists(),
    ):
        return False
    _room_changed(room, at)
    return True


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
