"""Relaying without reading the room: a connection that joined the open room relays offers, answers and candidates
with one read of its own item. What it relies on is checked here: whatever ends or closes the consultation still
refuses the very next message of an open connection (the doctor's end, the signed conclusion, a cancellation, the
room's time over), a reopened one relays again, a third connection cannot take anyone's place, and a peer that
has gone is forgotten while its replacement gets the messages.

Driven through the app's WebSocket handlers (tests.api.test_signaling_attacks) on moto. Where a connection must
be gone, the posts go through `Gateway`: moto's management API never reports a gone connection (FACTS), API
Gateway answers GoneException, as local/ws_gateway.py does.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import another_patient
from tests.api.test_signaling_attacks import _doctor_ticket, _open, _paid_room, connect, received, send, ticket
from tests.helpers import Api, Clock, set_own_password


class Gone(Exception):
    """What API Gateway's management API raises for a connection that has closed."""


class Gateway:
    """The @connections API as API Gateway answers it: frames kept per connection; a closed one is gone."""

    def __init__(self) -> None:
        self.frames: dict[str, list[dict[str, Any]]] = {}
        self.closed: set[str] = set()

    def send(self, connection_id: str, text: str) -> None:
        if connection_id in self.closed:
            raise Gone(connection_id)
        self.frames.setdefault(connection_id, []).append(json.loads(text))


@pytest.fixture
def visit(client, doctor: dict, patient: Api, yookassa) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """An open room with its patient and doctor connected and joined: both relay without reading the room."""
    from chalicelib.storage import rooms as store

    room = _paid_room(patient, doctor, yookassa, skip=1)
    _open(room["room_id"])
    patient_id, admitted = connect(ticket(client, room))
    doctor_id, let_in = connect(_doctor_ticket(client, room))
    assert admitted["statusCode"] == let_in["statusCode"] == 200
    for connection_id in (patient_id, doctor_id):
        send(connection_id, json.dumps({"action": "join"}))
    for connection_id, peer in ((patient_id, doctor_id), (doctor_id, patient_id)):
        item = store.get_connection(connection_id)
        assert item is not None and item.relaying and item.peers == {peer}, item
    set_own_password("orlova@example.org", "doctor secret 1")
    doctor_api = Api(client)
    assert doctor_api.login("orlova@example.org", "doctor secret 1").status_code == 200
    return {**room, "patient_id": patient_id, "doctor_id": doctor_id, "doctor": doctor_api}


def frames_of(connection_id: str, kind: str) -> list[dict[str, Any]]:
    return [frame for frame in received(connection_id) if frame["type"] == kind]


def offer(connection_id: str, sdp: str = "v=0 offer") -> None:
    send(connection_id, json.dumps({"action": "offer", "sdp": sdp}))


def candidate(connection_id: str, text: str = "candidate:1 1 udp 1 127.0.0.1 9 typ host") -> None:
    send(connection_id, json.dumps({"action": "candidate", "candidate": {"candidate": text}}))


ENDED = [{"type": "error", "code": "consultation_ended"}, {"type": "room_closed", "reason": "consultation_ended"}]


def test_an_ended_consultation_refuses_offers_and_candidates_of_open_connections(visit: dict[str, Any]) -> None:
    doctor_id, patient_id = visit["doctor_id"], visit["patient_id"]
    offer(doctor_id, "v=0 before")
    assert [f["sdp"] for f in frames_of(patient_id, "offer")] == ["v=0 before"]

    assert visit["doctor"].post(f"/rooms/{visit['room_id']}/end").status_code == 200
    for sender, receiver in ((doctor_id, patient_id), (patient_id, doctor_id)):
        before, heard = len(received(sender)), len(received(receiver))
        offer(sender, "v=0 after the end")
        candidate(sender)
        assert received(sender)[before:] == ENDED * 2
        assert received(receiver)[heard:] == []

    # Ended by mistake: the doctor goes back in, and the same connections relay again.
    assert visit["doctor"].post(f"/rooms/{visit['room_id']}/reopen").status_code == 200
    offer(doctor_id, "v=0 reopened")
    assert frames_of(patient_id, "offer")[-1]["sdp"] == "v=0 reopened"
    candidate(patient_id, "candidate:2 1 udp 1 127.0.0.1 9 typ host")
    assert frames_of(doctor_id, "candidate")[-1]["candidate"]["candidate"].startswith("candidate:2")


def test_a_signed_conclusion_ends_the_call_of_open_connections(visit: dict[str, Any]) -> None:
    from chalicelib.rooms import consultation

    consultation.end_by_conclusion(visit["room_id"])  # what signing the conclusion does to the room
    before, heard = len(received(visit["patient_id"])), len(received(visit["doctor_id"]))
    candidate(visit["patient_id"])
    assert received(visit["patient_id"])[before:] == ENDED
    assert received(visit["doctor_id"])[heard:] == []
    reopened = visit["doctor"].post(f"/rooms/{visit['room_id']}/reopen")
    assert reopened.status_code == 409 and reopened.json["error"]["code"] == "consultation_not_reopenable"


def test_a_cancelled_consultation_or_the_rooms_time_over_refuses_open_connections(visit: dict[str, Any]) -> None:
    import datetime as dt

    from chalicelib.rooms import states
    from chalicelib.scheduling.times import from_key
    from chalicelib.storage import rooms as store

    doctor_id, patient_id = visit["doctor_id"], visit["patient_id"]
    # The room's time over: refused by the time the connection carries, as a closed room.
    closes_at = from_key(store.get_room(visit["room_id"]).closes_at)
    clock = Clock(closes_at)
    offer(doctor_id)
    assert received(doctor_id)[-1] == {"type": "error", "code": "room_not_open", "status": "closed"}
    assert frames_of(patient_id, "offer") == []
    clock.current = closes_at - dt.timedelta(minutes=1)
    offer(doctor_id, "v=0 in time")
    assert [f["sdp"] for f in frames_of(patient_id, "offer")] == ["v=0 in time"]

    # A cancellation closes the room before its time (staff's refund): the next message is refused.
    assert states.close_room(visit["room_id"])
    candidate(patient_id)
    assert received(patient_id)[-1] == {"type": "error", "code": "room_not_open", "status": "closed"}
    assert frames_of(doctor_id, "candidate") == []


def test_a_third_connection_cannot_take_a_participants_place(client, doctor: dict, yookassa, visit) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.storage import rooms as store

    doctor_id, patient_id, room_id = visit["doctor_id"], visit["patient_id"], visit["room_id"]
    other = _paid_room(another_patient(client), doctor, yookassa, skip=2)
    _open(other["room_id"])
    stranger_id, _ = connect(ticket(client, other))
    send(stranger_id, json.dumps({"action": "join"}))
    # Another room's connection cannot be made anyone's peer here, nor a doctor the doctor's, nor a patient the
    # patient's: the write is refused and nothing changes.
    assert store.add_peer(doctor_id, stranger_id, other["room_id"], "doctor") is False
    assert store.add_peer(doctor_id, stranger_id, room_id, "patient") is False
    assert store.add_peer(patient_id, doctor_id, room_id, "doctor") is False
    assert store.get_connection(doctor_id).peers == {patient_id}
    offer(stranger_id, "v=0 stranger")
    assert frames_of(doctor_id, "offer") == [] and frames_of(patient_id, "offer") == []

    # A second connection of the patient's (another tab with the link) is added, never instead of the first: the
    # doctor's messages reach both, as before; the stranger hears nothing.
    second_id, _ = connect(ticket(client, visit))
    send(second_id, json.dumps({"action": "join"}))
    assert store.get_connection(doctor_id).peers == {patient_id, second_id}
    offer(doctor_id, "v=0 to the patient")
    for connection_id in (patient_id, second_id):
        assert [f["sdp"] for f in frames_of(connection_id, "offer")] == ["v=0 to the patient"]
    assert frames_of(stranger_id, "offer") == []


def test_a_gone_peer_is_forgotten_and_its_replacement_gets_the_messages(client, visit: dict[str, Any]) -> None:
    from chalicelib.rooms import signaling
    from chalicelib.storage import rooms as store

    doctor_id, patient_id, room_id = visit["doctor_id"], visit["patient_id"], visit["room_id"]
    gateway = Gateway()
    sender = signaling.Sender(gateway, gone=Gone)
    # The patient's network drops: API Gateway has closed the socket, its $disconnect has not come (yet).
    gateway.closed.add(patient_id)
    reload_id, _ = connect(ticket(client, visit))  # the page comes back: a new connection, not joined yet
    signaling.message(sender, doctor_id, json.dumps({"action": "candidate", "candidate": {"candidate": "c:1"}}))
    # The cached peer was gone: forgotten (item and peer), and the room's list found the new connection.
    assert store.get_connection(patient_id) is None
    assert gateway.frames[reload_id] == [{"type": "candidate", "from": "doctor", "candidate": {"candidate": "c:1"}}]
    assert store.get_connection(doctor_id).peers == {reload_id}

    signaling.message(sender, reload_id, json.dumps({"action": "join"}))
    signaling.message(sender, reload_id, json.dumps({"action": "answer", "sdp": "v=0 answer"}))
    assert gateway.frames[doctor_id][-1] == {"type": "answer", "from": "patient", "sdp": "v=0 answer"}

    # The dropped connection is out of the room's list too: its $disconnect, if it ever comes, finds nothing.
    assert store.connections_of(store.get_room(room_id), "patient") == {reload_id}
    signaling.disconnect(sender, patient_id)

    # The reloaded page leaves for good: the doctor is told at the leave and at the disconnect (as before), and
    # both lists forget it; the doctor's own leave then reaches nobody.
    signaling.message(sender, reload_id, json.dumps({"action": "leave"}))
    signaling.disconnect(sender, reload_id)
    left = [frame for frame in gateway.frames[doctor_id] if frame["type"] == "peer_left"]
    assert left == [{"type": "peer_left", "role": "patient"}] * 2
    assert store.connections_of(store.get_room(room_id)) == {doctor_id}
    assert not store.get_connection(doctor_id).peers
    sent = {connection_id: len(frames) for connection_id, frames in gateway.frames.items()}
    signaling.message(sender, doctor_id, json.dumps({"action": "leave"}))
    assert {connection_id: len(frames) for connection_id, frames in gateway.frames.items()} == sent


def test_a_relayed_message_reads_only_its_own_connection(visit: dict[str, Any], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """What a call's dozens of candidates cost: one read of the sender's connection and the post, nothing else."""
    import botocore.client

    calls: list[tuple[str, str]] = []
    make_call = botocore.client.BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        calls.append((client.meta.service_model.service_name, operation))
        return make_call(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counted)
    candidate(visit["doctor_id"])
    offer(visit["patient_id"], "v=0 from the patient")
    monkeypatch.undo()
    relayed = [("dynamodb", "GetItem"), ("apigatewaymanagementapi", "PostToConnection")]
    assert calls == relayed * 2
    assert frames_of(visit["patient_id"], "candidate") and frames_of(visit["doctor_id"], "offer")
