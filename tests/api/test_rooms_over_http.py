"""The room over HTTP and WebSocket against the local stack: the timer opens it, signaling is
relayed only between its two participants and only while it is open, and a doctor who never
comes means a refund."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import time
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from local.client import HttpApi, new_patient, signed_in


def _pay(confirmation_url: str) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.build_opener(NoRedirect).open(
            urllib.request.Request(confirmation_url, data=b"action=pay&card=5555555555554477"), timeout=10
        )


def paid_drop_in(url: str, registrar: HttpApi, skip: int = 0) -> dict:
    """A fresh patient's paid booking of the demo doctor's next drop-in slot at least 40 s ahead."""
    patient = new_patient(url, registrar)
    email = patient.get("/me").json["email"]
    doctor = next(d for d in HttpApi(url).get("/doctors").json if d["specialty"]["id"] == "therapy")
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=40)
    slots = [
        s
        for s in HttpApi(url).get(f"/doctors/{doctor['id']}/slots").json
        if dt.datetime.fromisoformat(s["starts_at"]) >= soon
    ]
    booking = patient.post("/bookings", {"slot_id": slots[skip]["id"]}).json
    _pay(patient.post(f"/bookings/{booking['id']}/payment").json["confirmation_url"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        mails = [
            m
            for m in HttpApi(url).get("/dev/outbox").json
            if m["to"] == [email] and m["subject"].startswith("Консультация оплачена")
        ]
        if mails:
            break
        time.sleep(0.1)
    link = re.search(r"(http://\S+/room/\S+)", mails[0]["text"]).group(1)
    room_id, token = link.split("/room/")[1].split("#token=")
    return {"patient": patient, "booking": booking, "room_id": room_id, "token": token, "email": email}


def room(url: str, room_id: str, token: str | None = None, api: HttpApi | None = None):  # type: ignore[no-untyped-def]
    return (api or HttpApi(url)).get(f"/rooms/{room_id}", headers={"X-Room-Token": token} if token else None)


def wait_status(url: str, visit: dict, wanted: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = room(url, visit["room_id"], visit["token"])
        if answer.status == 200 and answer.json["status"] == wanted:
            return answer.json
        time.sleep(1)
    raise AssertionError(f"room never became {wanted}")


def receive(ws, kind: str, timeout: float = 10) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind}")


def nothing_arrives(ws, within: float = 1.5) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TimeoutError):
        ws.recv(timeout=within)


@pytest.mark.timeout(420)
def test_the_room_opens_relays_only_between_its_two_and_refunds_an_absent_doctor(stack) -> None:
    url = stack.url
    registrar = signed_in(url, "registrar@clinic.local", "demo-password")
    visit = paid_drop_in(url, registrar)
    absent = paid_drop_in(url, registrar)  # the next free minute; the doctor will never come to this one

    # Who may look: the link's holder, the room's doctor; nobody else.
    assert room(url, visit["room_id"], "wrong-token").status == 404
    assert room(url, visit["room_id"]).status == 404
    assert room(url, visit["room_id"], absent["token"]).status == 404
    doctor = signed_in(url, "doctor@clinic.local", "demo-password")
    assert room(url, visit["room_id"], api=doctor).json["role"] == "doctor"
    other_doctor = signed_in(url, "cardiologist@clinic.local", "demo-password")
    assert room(url, visit["room_id"], api=other_doctor).status == 404

    lobby = wait_status(url, visit, "lobby", 30)
    assert lobby["role"] == "patient" and lobby["signaling_url"].startswith("ws://")
    assert any("turn:" in u for server in lobby["ice_servers"] for u in server["urls"])
    assert abs(dt.datetime.fromisoformat(lobby["server_time"]) - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)

    # Tickets: wrong, reused, or for another room are refused at the handshake.
    with pytest.raises(InvalidStatus):
        connect(lobby["signaling_url"].split("&ticket=")[0] + "&ticket=forged", open_timeout=5)
    used = lobby["signaling_url"]
    patient_ws = connect(used, open_timeout=5)
    with pytest.raises(InvalidStatus):
        connect(used, open_timeout=5)
    absent_lobby = wait_status(url, absent, "lobby", 30)
    with pytest.raises(InvalidStatus):
        connect(absent_lobby["signaling_url"].replace(absent["room_id"], visit["room_id"]), open_timeout=5)
    stranger_ws = connect(room(url, absent["room_id"], absent["token"]).json["signaling_url"], open_timeout=5)

    doctor_ws = connect(room(url, visit["room_id"], api=doctor).json["signaling_url"], open_timeout=5)
    patient_ws.send(json.dumps({"action": "join"}))
    assert receive(patient_ws, "state")["status"] == "lobby"
    doctor_ws.send(json.dumps({"action": "join"}))
    assert receive(doctor_ws, "state")["peer_present"] is True
    assert receive(patient_ws, "peer_joined")["role"] == "doctor"

    # Nothing flows before the opening.
    doctor_ws.send(json.dumps({"action": "offer", "sdp": "v=0 early"}))
    assert receive(doctor_ws, "error")["code"] == "room_not_open"
    nothing_arrives(patient_ws)

    # The timer opens the room and everyone in it is told.
    assert receive(patient_ws, "room_open", timeout=120)
    assert receive(doctor_ws, "room_open", timeout=10)
    doctor_ws.send(json.dumps({"action": "offer", "sdp": "v=0 offer"}))
    assert receive(patient_ws, "offer")["sdp"] == "v=0 offer"
    patient_ws.send(json.dumps({"action": "answer", "sdp": "v=0 answer"}))
    assert receive(doctor_ws, "answer")["sdp"] == "v=0 answer"
    patient_ws.send(
        json.dumps({"action": "candidate", "candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"}})
    )
    assert receive(doctor_ws, "candidate")["candidate"]["candidate"].startswith("candidate:1")
    patient_ws.send(json.dumps({"action": "chat", "text": "Здравствуйте, доктор!"}))
    assert receive(doctor_ws, "chat")["text"] == "Здравствуйте, доктор!"
    nothing_arrives(stranger_ws, within=1)  # another room hears nothing

    assert visit["patient"].get(f"/bookings/{visit['booking']['id']}").json["status"] == "in_progress"
    for ws in (patient_ws, doctor_ws, stranger_ws):
        ws.close()

    # The absent doctor: at the close, the booking is refunded and the patient told.
    closes = dt.datetime.fromisoformat(absent_lobby["closes_at"])
    deadline = time.monotonic() + (closes - dt.datetime.now(dt.UTC)).total_seconds() + 60
    status = None
    while time.monotonic() < deadline:
        status = absent["patient"].get(f"/bookings/{absent['booking']['id']}").json["status"]
        if status == "no_show_doctor":
            break
        time.sleep(2)
    assert status == "no_show_doctor"
    mails = [m for m in HttpApi(url).get("/dev/outbox").json if m["to"] == [absent["email"]]]
    assert any("врач не подключился" in m["text"] for m in mails)
    assert room(url, absent["room_id"], absent["token"]).status == 410
