"""Call signaling over the WebSocket API: who may connect, and what is relayed to whom.

Connect needs a ticket from GET /rooms/{id} (which the room link's token, the guest's link's token or the
session of its doctor or patient buys). Messages go only to the other participants of the same
room (doctor, patient and at most one guest: a mesh), and only while the room is open; each relayed frame says
`from` (the sender's role) and `to` (the role it is meant for, as the sender said; the pages drop the others');
before that, a participant may only say
it is here ("join") and is told the room's state. Once the consultation is ended
(rooms.consultation) nothing is relayed: connecting is refused, and a message is
answered with the code `consultation_ended` and `room_closed`.

A relayed message (offer, answer, candidate, …) costs one read of the sender's connection and the posts: the
connection carries the room's close, whether it saw the room open (its attendance then recorded) and its peers.
Whatever may refuse signaling before the close (the end, the conclusion, a cancellation) marks every connection
of the room (storage.rooms: the room's own list of them, read strongly), and a marked or not yet relaying
connection reads the room as before. Peers are learnt from the room's list at the opening, at a join in the open
room and on that path; a peer found gone is forgotten, and when none is left the room's list is read again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from typing import Any

from chalicelib.accounts.tokens import token_hash
from chalicelib.clock import now
from chalicelib.logs import log_event
from chalicelib.rooms import guests
from chalicelib.rooms.service import room_status
from chalicelib.scheduling.times import from_key, to_key
from chalicelib.storage import room_guests
from chalicelib.storage import rooms as store
from chalicelib.storage.records import Room

RELAYED = {"offer", "answer", "candidate", "chat", "restart"}
ROLES = ("doctor", "patient", "guest")
# The guest's link was revoked or the doctor removed the guest: its page leaves the call (`reason` says why).
GUEST_REMOVED = {"type": "room_closed", "reason": "guest_removed"}
ENDED = "consultation_ended"
# The consultation is over: pages leave the call as at the room's close (`reason` says why).
ENDED_MESSAGE = {"type": "room_closed", "reason": ENDED}
MAX_MESSAGE = 64 * 1024
# API Gateway closes a WebSocket after 2 hours at most: the connection's item expires (TTL) an hour after that.
CONNECTION_LIFE = dt.timedelta(hours=3)


class Sender:
    """Sends to connections; a connection that has gone is forgotten here, where it is found.

    `gone`: what the WebSocket API raises for a connection that has gone (the edge knows its class).
    """

    def __init__(self, websocket_api: Any, gone: type[Exception]) -> None:
        self._api = websocket_api
        self._gone = gone

    def send(self, connection_id: str, message: dict[str, Any]) -> bool:
        try:
            self._api.send(connection_id, json.dumps(message, ensure_ascii=False))
            return True
        except self._gone:  # its $disconnect may never come: out of the table and the room's list now
            gone = store.take_connection(connection_id)
            if gone is not None:
                store.leave_room(gone)
            return False

    def to_connections(self, connection_ids: Iterable[str], message: dict[str, Any]) -> set[str]:
        """Send to each; the ones found gone."""
        return {connection_id for connection_id in sorted(connection_ids) if not self.send(connection_id, message)}


def _others(room: Room, role: str) -> set[str]:
    """The connections of the room's other participants."""
    return {cid for name in ROLES if name != role for cid in store.connections_of(room, name)}


def connect(connection_id: str, query: dict[str, str]) -> bool:
    """Admit a WebSocket with a valid, unused ticket for an open-able room (True); refuse anything else.
    The ticket names its room; the room's state is the condition of the write that adds the connection to it."""
    room_id, ticket = query.get("room", ""), query.get("ticket", "")
    if not (room_id and ticket and len(ticket) <= 128):
        log_event("signaling_refused", logging.WARNING, reason="room")
        return False
    current = now()
    admitted = store.consume_ticket(token_hash(ticket), room_id, ROLES, current)
    if admitted is None:
        log_event("signaling_refused", logging.WARNING, reason="ticket")
        return False
    role, guest_link = admitted
    connection = store.new_connection(connection_id, room_id, role, current.isoformat(), current + CONNECTION_LIFE)
    if not store.add_connection(connection, to_key(current), guest_link):  # ended, closed, over, another guest
        room = store.get_room(room_id)  # only to say why
        log_event("signaling_refused", logging.WARNING, reason=ENDED if room and room.ended_at else "room")
        return False
    log_event("signaling_connected", room_id=room_id, role=role)
    return True


def _parse(body: Any) -> tuple[dict[str, Any], str | None]:
    """A frame as an object with a text `action`, or the error code to answer with."""
    if not isinstance(body, str):
        return {}, "bad_message"
    if len(body.encode("utf-8", "surrogatepass")) > MAX_MESSAGE:
        return {}, "too_large"
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # deep nesting exhausts the parser's stack
        return {}, "bad_message"
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        return {}, "bad_message"
    return data, None


def _relays_unread(connection: Any, current: dt.datetime) -> bool:
    """It saw the room open, nothing has marked a change since, and the room's time is not over."""
    return bool(
        connection.relaying
        and connection.room_changed_at is None
        and connection.closes_at
        and current < from_key(connection.closes_at)
    )


def message(sender: Sender, connection_id: str, body: str | None) -> None:
    connection = store.get_connection(connection_id)
    if connection is None:
        return
    data, problem = _parse(body)
    if problem:
        sender.send(connection_id, {"type": "error", "code": problem})
        return
    action = data["action"]
    if action == "leave":
        _leave(sender, connection)
        return
    current = now()
    if action in RELAYED and _relays_unread(connection, current):
        _relay(sender, connection, data, current, connection.peers or set())
        return
    room = store.get_room(connection.room_id)
    if room is None:
        return
    if connection.role == "guest" and room.guest_status != "invited":
        _send_guest_away(sender, {connection_id})
        return
    if room.ended_at is not None:
        sender.send(connection_id, {"type": "error", "code": ENDED})
        sender.send(connection_id, ENDED_MESSAGE)
        return
    status = room_status(room, current)
    if action == "guest_removed":  # the doctor removed the guest (POST /rooms/{id}/guest/remove): tell the guest now
        if connection.role == "doctor" and room.guest_status in ("removed", "revoked"):
            _send_guest_away(sender, set(room.guest_connections or ()))
            gone = {"type": "peer_left", "role": "guest", "reason": "guest_removed"}
            sender.to_connections(store.connections_of(room, "patient"), gone)
        return
    if action == "join":
        _join(sender, connection, room, status, current)
        return
    if action not in RELAYED:
        sender.send(connection_id, {"type": "error", "code": "unknown_action"})
        return
    if status != "open":
        sender.send(connection_id, {"type": "error", "code": "room_not_open", "status": status})
        return
    peers = _open_for(connection, room, current)
    _relay(sender, connection, data, current, peers, room_read=True)


def _open_for(connection: Any, room: Room, current: dt.datetime) -> set[str]:
    """The room is open and not ended: attendance recorded, the connection relays from now on without reading it,
    knowing its peers (and known to them). The peers."""
    role = connection.role
    peers = _others(room, role) - {connection.connection_id}
    if store.mark_joined(room, role, current.isoformat()) and role == "guest":
        guests.record_joined(room)
    for stale in sorted((connection.peers or set()) - peers):  # gone, or a guest no longer invited
        store.forget_peer(connection.connection_id, stale)
    if not _relays_unread(connection, current) or not peers <= (connection.peers or set()):
        store.start_relaying(connection.connection_id, peers, room.closes_at, connection.room_changed_at)
    for name in ROLES:
        for peer in sorted(store.connections_of(room, name) & peers):
            store.add_peer(peer, connection.connection_id, room.room_id, name)
    return peers


def _relay(
    sender: Sender,
    connection: Any,
    data: dict[str, Any],
    current: dt.datetime,
    peers: set[str],
    room_read: bool = False,
) -> None:
    action = data["action"]
    relayed = {key: value for key, value in data.items() if key in ("sdp", "candidate", "text")}
    if action == "chat":
        relayed = {"text": str(data.get("text", ""))[:2000], "at": current.isoformat()}
    frame = {"type": action, "from": connection.role, **relayed}
    if data.get("to") in ROLES:
        frame["to"] = data["to"]
    gone = sender.to_connections(peers, frame)
    for peer in sorted(gone & (connection.peers or set())):
        store.forget_peer(connection.connection_id, peer)
    if gone and gone == peers and not room_read:  # every known peer has gone: anyone new is in the room's list
        room = store.get_room(connection.room_id)
        if room is not None and room.ended_at is None:
            others = _others(room, connection.role) - {connection.connection_id} - gone
            if others:
                store.start_relaying(connection.connection_id, others, room.closes_at)
                sender.to_connections(others, frame)


def _join(sender: Sender, connection: Any, room: Room, status: str, current: dt.datetime) -> None:
    role = connection.role
    if status == "open":
        present = _open_for(connection, room, current)
    else:
        present = _others(room, role) - {connection.connection_id}
    roles = [name for name in ROLES if store.connections_of(room, name) & present]
    # The doctor's and the patient's call is their pair (the guest comes and goes); the guest's, anyone's.
    main = [name for name in roles if name != "guest"] if role != "guest" else roles
    sender.send(
        connection.connection_id,
        {
            "type": "state",
            "status": status,
            "role": role,
            "peer_present": bool(main),
            "present": roles,
            "server_time": current.isoformat(),
        },
    )
    sender.to_connections(present, {"type": "peer_joined", "role": role, "status": status})


def _leave(sender: Sender, connection: Any) -> None:
    """The other one is told at once (the page says so); the doctor's leave after the end also ends the patient's
    page. Whatever the room's state: read only when the connection does not know its peers, or it was marked."""
    role = connection.role
    room = None
    if not connection.relaying or (role == "doctor" and connection.room_changed_at is not None):
        room = store.get_room(connection.room_id)
        peers = _others(room, role) - {connection.connection_id} if room else set()
    else:
        peers = connection.peers or set()
    sender.to_connections(peers, {"type": "peer_left", "role": role})
    if role == "doctor" and room is not None and room.ended_at is not None:  # the doctor ended it, then left
        sender.to_connections(peers, ENDED_MESSAGE)


def disconnect(sender: Sender, connection_id: str) -> None:
    connection = store.take_connection(connection_id)
    if connection is None:
        return
    room = store.leave_room(connection)
    if connection.role == "guest":
        room_guests.left(connection.room_id, now().isoformat())
    others = _others(room, connection.role) if room else (connection.peers or set())
    for peer in sorted(others):
        store.forget_peer(peer, connection_id)
    sender.to_connections(others, {"type": "peer_left", "role": connection.role})


def _send_guest_away(sender: Sender, connection_ids: set[str]) -> None:
    """A guest no longer invited: told so, and its connections out of the table and the room's list."""
    sender.to_connections(connection_ids, GUEST_REMOVED)
    for connection_id in sorted(connection_ids):
        gone = store.take_connection(connection_id)
        if gone is not None:
            store.leave_room(gone)
