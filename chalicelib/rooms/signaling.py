"""Call signaling over the WebSocket API: who may connect, and what is relayed to whom.

Connect needs a ticket from GET /rooms/{id} (which the room link's token or the
session of its doctor or patient buys). Messages go only to the other participant of the same
room, and only while the room is open; before that, a participant may only say
it is here ("join") and is told the room's state. Once the consultation is ended
(rooms.consultation) nothing is relayed: connecting is refused, and a message is
answered with the code `consultation_ended` and `room_closed`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from chalicelib.accounts.tokens import token_hash
from chalicelib.clock import now
from chalicelib.logs import log_event
from chalicelib.rooms.service import room_status
from chalicelib.scheduling.times import from_key
from chalicelib.storage import rooms as store

RELAYED = {"offer", "answer", "candidate", "chat", "restart"}
ENDED = "consultation_ended"
# The consultation is over: pages leave the call as at the room's close (`reason` says why).
ENDED_MESSAGE = {"type": "room_closed", "reason": ENDED}
MAX_MESSAGE = 64 * 1024


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
        except self._gone:
            store.delete_connection(connection_id)
            return False

    def to_room(
        self, room_id: str, message: dict[str, Any], except_id: str | None = None, role: str | None = None
    ) -> int:
        return self.to_connections(store.connections_in(room_id), message, except_id, role)

    def to_connections(
        self, connections: list[Any], message: dict[str, Any], except_id: str | None = None, role: str | None = None
    ) -> int:
        """`to_room` with the room's connections already read in this request."""
        sent = 0
        for connection in connections:
            if connection.connection_id != except_id and (role is None or connection.role == role):
                sent += self.send(connection.connection_id, message)
        return sent


def connect(connection_id: str, query: dict[str, str]) -> bool:
    """Admit a WebSocket with a valid, unused ticket for an open-able room (True); refuse anything else."""
    room_id, ticket = query.get("room", ""), query.get("ticket", "")
    room = store.get_room(room_id) if room_id and ticket and len(ticket) <= 128 else None
    current = now()
    if room is None or room_status(room, current) == "closed":
        log_event("signaling_refused", logging.WARNING, reason="room")
        return False
    if room.ended_at is not None:
        log_event("signaling_refused", logging.WARNING, reason=ENDED)
        return False
    role = store.consume_ticket(token_hash(ticket), room.room_id, ("patient", "doctor"), current)
    if role is not None:
        ttl = from_key(room.closes_at) + dt.timedelta(hours=1)
        store.save_connection(connection_id, room.room_id, role, current.isoformat(), ttl)
        log_event("signaling_connected", room_id=room.room_id, role=role)
        return True
    log_event("signaling_refused", logging.WARNING, reason="ticket")
    return False


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


def message(sender: Sender, connection_id: str, body: str | None) -> None:
    connection = store.get_connection(connection_id)
    if connection is None:
        return
    data, problem = _parse(body)
    if problem:
        sender.send(connection_id, {"type": "error", "code": problem})
        return
    action = data["action"]
    other = "doctor" if connection.role == "patient" else "patient"
    if action == "leave" and connection.role != "doctor":  # whatever the room's state: no need to read it
        left = {"type": "peer_left", "role": connection.role}
        sender.to_room(connection.room_id, left, except_id=connection_id, role=other)
        return
    room = store.get_room(connection.room_id)
    if action == "leave":
        connections = store.connections_in(connection.room_id)
        left = {"type": "peer_left", "role": connection.role}
        sender.to_connections(connections, left, except_id=connection_id, role=other)
        if room is not None and room.ended_at is not None:  # the doctor ended it, then left: the patient's page says so
            sender.to_connections(connections, ENDED_MESSAGE, except_id=connection_id, role=other)
        return
    if room is None:
        return
    if room.ended_at is not None:
        sender.send(connection_id, {"type": "error", "code": ENDED})
        sender.send(connection_id, ENDED_MESSAGE)
        return
    current = now()
    status = room_status(room, current)
    if action == "join":
        connections = store.connections_in(room.room_id)
        present = [c for c in connections if c.role == other]
        if status == "open":
            store.mark_joined(room, connection.role, current.isoformat())
        sender.send(
            connection_id,
            {
                "type": "state",
                "status": status,
                "role": connection.role,
                "peer_present": bool(present),
                "server_time": current.isoformat(),
            },
        )
        sender.to_connections(
            connections,
            {"type": "peer_joined", "role": connection.role, "status": status},
            except_id=connection_id,
            role=other,
        )
        return
    if action not in RELAYED:
        sender.send(connection_id, {"type": "error", "code": "unknown_action"})
        return
    if status != "open":
        sender.send(connection_id, {"type": "error", "code": "room_not_open", "status": status})
        return
    store.mark_joined(room, connection.role, current.isoformat())
    relayed = {key: value for key, value in data.items() if key in ("sdp", "candidate", "text")}
    if action == "chat":
        relayed = {"text": str(data.get("text", ""))[:2000], "at": current.isoformat()}
    sender.to_room(
        room.room_id, {"type": action, "from": connection.role, **relayed}, except_id=connection_id, role=other
    )


def disconnect(sender: Sender, connection_id: str) -> None:
    connection = store.take_connection(connection_id)
    if connection is None:
        return
    other = "doctor" if connection.role == "patient" else "patient"
    sender.to_room(connection.room_id, {"type": "peer_left", "role": connection.role}, role=other)
