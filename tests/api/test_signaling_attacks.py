"""The WebSocket entry points attacked: connect with a reused ticket, another room's ticket, a forged
one; frames that are malformed, oversized, nested to exhaust the parser, or that try to speak for
the other participant. Driven through the app's own `ws_connect` / `ws_message` / `ws_disconnect`
handlers with API Gateway's event shape; what each connection received is read back from the
WebSocket management API (moto's), as a browser would have received it."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.conftest import another_patient, free_slots
from tests.helpers import Api, outbox

API_ID, STAGE = "wsapi123", "ws"


def _event(
    route: str, connection_id: str, body: Any = None, query: dict[str, str] | None = None, binary: bool = False
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route,
            "eventType": route.strip("$").upper(),
            "connectionId": connection_id,
            "apiId": API_ID,
            "stage": STAGE,
            "domainName": f"{API_ID}.execute-api.local",
            "requestId": uuid.uuid4().hex,
        },
        "isBase64Encoded": binary,
    }
    if query is not None:
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = body
    return event


def connect(query: dict[str, str]) -> tuple[str, dict[str, Any]]:
    from app import ws_connect

    connection_id = uuid.uuid4().hex[:16]
    return connection_id, ws_connect(_event("$connect", connection_id, query=query), None)


def send(connection_id: str, body: Any, binary: bool = False) -> dict[str, Any]:
    from app import ws_message

    return ws_message(_event("$default", connection_id, body=body, binary=binary), None)


def received(connection_id: str) -> list[dict[str, Any]]:
    """Every frame the management API delivered to the connection so far."""
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    data = apigatewaymanagementapi_backends[DEFAULT_ACCOUNT_ID]["eu-central-1"].connections[connection_id].data
    text, frames, decoder, at = data.decode(), [], json.JSONDecoder(), 0
    while at < len(text):
        frame, at = decoder.raw_decode(text, at)
        frames.append(frame)
    return frames


def _paid_room(patient: Api, doctor: dict, yookassa, skip: int = 1) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    import re

    slot = free_slots(patient, doctor["id"])[skip]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    paid = patient.get(f"/bookings/{booking['id']}").json
    link = re.compile(r"/room/" + paid["room_id"] + r"#token=([A-Za-z0-9_-]+)")
    token = next(found.group(1) for m in outbox() for found in [link.search(m["text"])] if found)
    return {"booking": paid, "room_id": paid["room_id"], "token": token}


def _open(room_id: str) -> None:
    """What the booking timer's Step Functions task writes at the start."""
    from chalicelib.storage.tables import Room

    Room(room_id).update(actions=[Room.status.set("open")])


def ticket(client, room: dict[str, Any]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    answer = Api(client).get(f"/rooms/{room['room_id']}", headers={"X-Room-Token": room["token"]})
    assert answer.status_code == 200, answer.json
    query = parse_qs(urlsplit(answer.json["signaling_url"]).query)
    return {"room": query["room"][0], "ticket": query["ticket"][0]}


@pytest.fixture
def rooms(client, doctor: dict, patient: Api, yookassa) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    first = _paid_room(patient, doctor, yookassa, skip=1)
    second = _paid_room(another_patient(client), doctor, yookassa, skip=2)
    for room in (first, second):
        _open(room["room_id"])
    return {"first": first, "second": second}


def test_a_ticket_lets_one_connection_in_once(client, rooms: dict[str, Any]) -> None:
    query = ticket(client, rooms["first"])
    _, first = connect(query)
    assert first["statusCode"] == 200
    _, again = connect(query)
    assert again["statusCode"] == 403


def test_a_ticket_of_another_room_or_a_forged_one_is_refused(client, rooms: dict[str, Any]) -> None:
    other = ticket(client, rooms["second"])
    assert connect({"room": rooms["first"]["room_id"], "ticket": other["ticket"]})[1]["statusCode"] == 403
    # The refused attempt did not use the ticket up: its own room still takes it.
    assert connect(other)[1]["statusCode"] == 200
    forged = {"room": rooms["first"]["room_id"], "ticket": rooms["first"]["token"]}  # the link's token is no ticket
    assert connect(forged)[1]["statusCode"] == 403
    for query in (
        {},
        {"room": rooms["first"]["room_id"]},
        {"ticket": "x" * 129, "room": rooms["first"]["room_id"]},
        {"room": "../" * 50, "ticket": "abc"},
    ):
        assert connect(query)[1]["statusCode"] == 403, query


def test_malformed_oversized_and_nested_frames_get_an_error_and_relay_nothing(client, rooms: dict[str, Any]) -> None:
    from app import ws_message

    patient_id, admitted = connect(ticket(client, rooms["first"]))
    assert admitted["statusCode"] == 200
    doctor_id, _ = connect(_doctor_ticket(client, rooms["first"]))
    frames = {
        "not json": "bad_message",
        "[1, 2, 3]": "bad_message",
        '"action"': "bad_message",
        json.dumps({"action": ["offer"]}): "bad_message",
        json.dumps({"action": {"x": 1}}): "bad_message",
        json.dumps({"action": None}): "bad_message",
        json.dumps({"no_action": "offer"}): "bad_message",
        "[" * 30000 + "]" * 30000: "bad_message",  # deep nesting: the parser's recursion limit
        json.dumps({"action": "chat", "text": "x" * (70 * 1024)}): "too_large",
        json.dumps({"action": "sing"}): "unknown_action",
    }
    for body, code in frames.items():
        before = len(received(patient_id))
        ws_message(_event("$default", patient_id, body=body), None)
        answer = received(patient_id)[before:]
        assert answer == [{"type": "error", "code": code}], (body[:40], answer)
    # A frame without a body at all (a binary frame API Gateway could not give as text).
    ws_message(_event("$default", patient_id), None)
    assert received(patient_id)[-1] == {"type": "error", "code": "bad_message"}
    assert received(doctor_id) == []


def test_a_participant_cannot_speak_for_the_other_or_reach_another_room(client, rooms: dict[str, Any]) -> None:
    patient_id, _ = connect(ticket(client, rooms["first"]))
    doctor_id, _ = connect(_doctor_ticket(client, rooms["first"]))
    stranger_id, _ = connect(ticket(client, rooms["second"]))
    send(
        patient_id,
        json.dumps(
            {
                "action": "chat",
                "text": "Здравствуйте",
                "from": "doctor",
                "type": "bye",
                "room": rooms["second"]["room_id"],
            }
        ),
    )
    [chat] = [f for f in received(doctor_id) if f["type"] == "chat"]
    assert chat["from"] == "patient" and chat["text"] == "Здравствуйте" and set(chat) == {"type", "from", "text", "at"}
    assert [f for f in received(stranger_id) if f["type"] == "chat"] == []
    # A message from a connection that was never admitted goes nowhere.
    send("never-connected", json.dumps({"action": "chat", "text": "hi"}))
    assert len([f for f in received(doctor_id) if f["type"] == "chat"]) == 1


def _doctor_ticket(client, room: dict[str, Any]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from chalicelib.accounts import passwords
    from chalicelib.storage import accounts as store

    user = store.user_by_login("orlova@example.org")
    if user.must_change_password:
        store.set_password(
            user,
            passwords.hash_password("correct horse battery"),
            must_change=False,
            temporary_until=None,
            changed_at=user.created_at,
        )
    doctor = Api(client)
    assert doctor.login("orlova@example.org").status_code == 200
    answer = doctor.get(f"/rooms/{room['room_id']}")
    assert answer.status_code == 200 and answer.json["role"] == "doctor", answer.json
    query = parse_qs(urlsplit(answer.json["signaling_url"]).query)
    return {"room": query["room"][0], "ticket": query["ticket"][0]}
