"""A guest in the call (#19): one per booking, invited by email with a link of its own (revocable, good only in
the room's window), which opens the call and nothing else; the doctor removes the guest and the signaling refuses
the removed guest's connection. Each refusal is tried as an attack would try it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.api.conftest import another_patient
from tests.api.test_signaling_attacks import _doctor_ticket, _open, _paid_room, connect, received, send, ticket
from tests.helpers import Api, Clock, outbox

GUEST = {"name": "Петров Иван Сергеевич", "email": "ivan@example.org", "relation": "representative"}


def guest_tokens(room_id: str, to: str = "ivan@example.org") -> list[str]:
    """The guest's links, newest first (the patient's own links go to the patient)."""
    pattern = re.compile(r"/room/" + room_id + r"#token=([A-Za-z0-9_-]+)")
    return [m.group(1) for mail in outbox() if to in mail["to"] for m in [pattern.search(mail["text"])] if m]


def by_link(client, room_id: str, token: str) -> Any:  # type: ignore[no-untyped-def]
    return Api(client).get(f"/rooms/{room_id}", headers={"X-Room-Token": token})


@pytest.fixture
def visit(client, doctor: dict, patient: Api, yookassa) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    room = _paid_room(patient, doctor, yookassa, skip=1)
    return {**room, "booking_id": room["booking"]["id"], "patient": patient}


def test_one_guest_per_booking_invited_by_email_with_its_own_link(client, visit: dict[str, Any], staff: Api) -> None:
    patient, booking_id, room_id = visit["patient"], visit["booking_id"], visit["room_id"]
    assert patient.get(f"/bookings/{booking_id}/guest").json == {"guest": None, "may_invite": True}
    answer = patient.post(f"/bookings/{booking_id}/guest", GUEST)
    assert answer.status_code == 200, answer.json
    assert answer.json["guest"]["status"] == "invited" and answer.json["may_invite"] is False
    mail = next(m for m in outbox() if "ivan@example.org" in m["to"])
    assert "Петров Иван Сергеевич" in mail["text"] and "законный представитель" in mail["text"]
    assert "Кардиолог" not in mail["text"] + mail["html"] + mail["subject"]  # the patient's specialty: not said
    token = guest_tokens(room_id)[0]
    assert token != visit["token"] and f"#token={token}" in mail["text"] and f"?token={token}" not in mail["text"]

    # A second guest on the same booking, by the patient or by the registry: 409, in Russian.
    for who in (patient, staff):
        second = who.post(f"/bookings/{booking_id}/guest", {**GUEST, "email": "other@example.org"})
        assert second.status_code == 409 and second.json["error"]["code"] == "guest_exists", second.json
        assert "уже приглашён гость" in second.json["error"]["message"]
    assert guest_tokens(room_id, "other@example.org") == []
    # A bad relation or email: 400 per field, nothing written.
    bad = Api(client)
    bad.login("anna@example.org")
    assert bad.post(f"/bookings/{booking_id}/guest", {**GUEST, "relation": "friend"}).status_code == 400
    assert bad.post(f"/bookings/{booking_id}/guest", {**GUEST, "email": "nope"}).status_code == 400

    # Revoked: the link stops working; another guest may then be invited.
    assert patient.call("DELETE", f"/bookings/{booking_id}/guest").json["guest"]["status"] == "revoked"
    _open(room_id)
    assert by_link(client, room_id, token).status_code == 404
    assert patient.call("DELETE", f"/bookings/{booking_id}/guest").json["error"]["code"] == "no_guest"
    again = staff.post(
        f"/bookings/{booking_id}/guest", {**GUEST, "email": "olga@example.org", "relation": "interpreter"}
    )
    assert again.status_code == 200, again.json
    assert by_link(client, room_id, guest_tokens(room_id, "olga@example.org")[0]).json["role"] == "guest"


def test_the_invitation_sent_again_is_a_new_link_within_the_limits(client, visit: dict[str, Any]) -> None:
    import datetime as dt

    patient, booking_id, room_id = visit["patient"], visit["booking_id"], visit["room_id"]
    clock = Clock(dt.datetime.fromisoformat(visit["booking"]["starts_at"]) - dt.timedelta(hours=3))
    assert patient.post(f"/bookings/{booking_id}/guest", GUEST).status_code == 200
    first = guest_tokens(room_id)[0]
    flood = [patient.post(f"/bookings/{booking_id}/guest/resend") for _ in range(3)]
    assert [r.status_code for r in flood] == [429, 429, 429]
    assert "Приглашение недавно уже отправили" in flood[0].json["error"]["message"]
    assert int(flood[0].headers["Retry-After"]) > 0 and len(guest_tokens(room_id)) == 1
    clock.advance(minutes=5)
    sent = patient.post(f"/bookings/{booking_id}/guest/resend")
    assert sent.status_code == 200, sent.json
    assert sent.json["guest"]["next_send_at"] is not None
    second = guest_tokens(room_id)[0]
    assert second != first
    _open(room_id)
    assert by_link(client, room_id, first).status_code == 404  # the earlier link no longer works
    assert by_link(client, room_id, second).json["role"] == "guest"
    for _ in range(3):
        clock.advance(minutes=5)
        assert patient.post(f"/bookings/{booking_id}/guest/resend").status_code == 200
    clock.advance(minutes=5)
    assert patient.post(f"/bookings/{booking_id}/guest/resend").status_code == 429  # 5 a day: the invitation + 4


def test_the_guests_link_opens_the_call_in_its_window_and_nothing_else(
    client, visit: dict[str, Any], doctor: dict
) -> None:
    patient, booking_id, room_id = visit["patient"], visit["booking_id"], visit["room_id"]
    assert patient.post(f"/bookings/{booking_id}/guest", GUEST).status_code == 200
    token = guest_tokens(room_id)[0]
    early = by_link(client, room_id, token)  # the room is still scheduled: before its window
    assert early.status_code == 409 and early.json["error"]["code"] == "guest_too_early"
    assert "начнёт работать" in early.json["error"]["message"]
    _open(room_id)
    room = by_link(client, room_id, token)
    assert room.status_code == 200 and room.json["role"] == "guest", room.json
    assert room.json["booking_id"] is None and room.json["documents_address"] is None
    assert room.json["patient"] is None and room.json["doctor"]["specialty"] is None
    assert room.json["signaling_url"] and room.json["guest"] == {"name": GUEST["name"], "relation": "representative"}
    # The patient and the doctor see who the guest is.
    assert patient.get(f"/rooms/{room_id}").json["guest"]["relation"] == "representative"

    # The token is no session: not the booking, its documents, its conclusion, the end, an invitation.
    header = {"X-Room-Token": token}
    guest = Api(client)
    for method, path, body in (
        ("GET", f"/bookings/{booking_id}", None),
        ("GET", f"/bookings/{booking_id}/attachments", None),
        ("GET", f"/bookings/{booking_id}/conclusion", None),
        ("GET", f"/bookings/{booking_id}/conclusion/pdf", None),
        ("GET", f"/bookings/{booking_id}/guest", None),
        ("POST", f"/bookings/{booking_id}/guest", {**GUEST, "email": "x@example.org"}),
        ("POST", f"/bookings/{booking_id}/guest/resend", None),
        ("POST", f"/bookings/{booking_id}/room-link", None),
        ("POST", f"/rooms/{room_id}/end", None),
        ("POST", f"/rooms/{room_id}/guest/remove", None),
    ):
        refused = guest.call(method, path, body, headers=header)
        assert refused.status_code == 401, (method, path, refused.status_code)

    # Someone else's booking: as if it did not exist; another room with this token: nothing.
    stranger = another_patient(client)
    assert stranger.post(f"/bookings/{booking_id}/guest", GUEST).status_code == 404
    assert stranger.call("DELETE", f"/bookings/{booking_id}/guest").status_code == 404
    assert stranger.get(f"/bookings/{booking_id}/guest").status_code == 404
    # The room closed (its time over): the guest's link says so.
    from chalicelib.storage import rooms as room_store

    assert room_store.close_room(room_id, "2026-01-01T00:00:00+00:00")
    assert by_link(client, room_id, token).status_code == 410


def test_the_doctor_removes_the_guest_and_the_signaling_refuses_it(client, visit: dict[str, Any]) -> None:
    from chalicelib.storage import rooms as room_store
    from chalicelib.storage.tables import AuditEntry as Audit

    patient, booking_id, room_id = visit["patient"], visit["booking_id"], visit["room_id"]
    assert patient.post(f"/bookings/{booking_id}/guest", GUEST).status_code == 200
    token = guest_tokens(room_id)[0]
    _open(room_id)
    guest_room = {"room_id": room_id, "token": token}
    patient_id, _ = connect(ticket(client, visit))
    doctor_id, _ = connect(_doctor_ticket(client, visit))
    guest_id, admitted = connect(ticket(client, guest_room))
    assert admitted["statusCode"] == 200
    spare = ticket(client, guest_room)  # bought before the removal, used after it
    for connection_id in (patient_id, doctor_id, guest_id):
        send(connection_id, json.dumps({"action": "join"}))
    state = [f for f in received(guest_id) if f["type"] == "state"][-1]
    assert state["present"] == ["doctor", "patient"] and state["peer_present"] is True
    assert [f for f in received(doctor_id) if f["type"] == "state"][-1]["present"] == ["patient", "guest"]
    room = room_store.get_room(room_id)
    assert room is not None and room.guest_joined_at is not None
    joined = [e for e in Audit.scan() if e.action == "guest_joined" and e.target_id == room_id]
    assert len(joined) == 1 and joined[0].actor_name == GUEST["name"] and joined[0].patient_id is not None

    # A mesh: each frame says from whom and for whom.
    send(doctor_id, json.dumps({"action": "offer", "sdp": "v=0 to-guest", "to": "guest"}))
    offer = [f for f in received(guest_id) if f["type"] == "offer"][-1]
    assert offer["from"] == "doctor" and offer["to"] == "guest" and offer["sdp"] == "v=0 to-guest"
    send(guest_id, json.dumps({"action": "answer", "sdp": "v=0 answer", "to": "doctor"}))
    assert [f for f in received(doctor_id) if f["type"] == "answer"][-1]["from"] == "guest"

    # Only the doctor removes; the patient's session cannot.
    assert patient.post(f"/rooms/{room_id}/guest/remove").status_code == 403
    doctor = Api(client)
    doctor.login("orlova@example.org")
    removed = doctor.post(f"/rooms/{room_id}/guest/remove")
    assert removed.status_code == 200 and removed.json["guest"]["status"] == "removed", removed.json
    assert [e.action for e in Audit.scan() if e.target_id == room_id and e.action == "guest_removed"] == [
        "guest_removed"
    ]
    send(doctor_id, json.dumps({"action": "guest_removed"}))  # the doctor's page tells the guest's at once
    assert {"type": "room_closed", "reason": "guest_removed"} in received(guest_id)
    assert {"type": "peer_left", "role": "guest", "reason": "guest_removed"} in received(patient_id)
    # The removed guest's connection relays nothing more, a new one is refused, and so is the link.
    before = len([f for f in received(doctor_id) if f["type"] == "candidate"])
    send(guest_id, json.dumps({"action": "candidate", "candidate": {"candidate": "x"}, "to": "doctor"}))
    assert len([f for f in received(doctor_id) if f["type"] == "candidate"]) == before
    assert connect(spare)[1]["statusCode"] != 200
    assert by_link(client, room_id, token).status_code == 404
    # The doctor and the patient relay on; their call is not ended by the guest's going.
    send(doctor_id, json.dumps({"action": "offer", "sdp": "v=0 again", "to": "patient"}))
    assert [f for f in received(patient_id) if f["type"] == "offer"][-1]["sdp"] == "v=0 again"
    # A removed guest is not replaced: the doctor decided.
    again = patient.post(f"/bookings/{booking_id}/guest", {**GUEST, "email": "olga@example.org"})
    assert again.status_code == 409 and again.json["error"]["code"] == "guest_exists"


def test_a_revoked_guests_open_connection_is_refused_at_its_next_message(client, visit: dict[str, Any]) -> None:
    patient, booking_id, room_id = visit["patient"], visit["booking_id"], visit["room_id"]
    assert patient.post(f"/bookings/{booking_id}/guest", GUEST).status_code == 200
    _open(room_id)
    patient_id, _ = connect(ticket(client, visit))
    guest_id, _ = connect(ticket(client, {"room_id": room_id, "token": guest_tokens(room_id)[0]}))
    for connection_id in (patient_id, guest_id):
        send(connection_id, json.dumps({"action": "join"}))
    assert patient.call("DELETE", f"/bookings/{booking_id}/guest").status_code == 200
    send(guest_id, json.dumps({"action": "offer", "sdp": "v=0 late", "to": "patient"}))
    assert {"type": "room_closed", "reason": "guest_removed"} in received(guest_id)
    assert [f for f in received(patient_id) if f["type"] == "offer"] == []


def test_a_revoked_guests_ticket_does_not_let_it_in_as_the_next_guest(client, visit: dict[str, Any]) -> None:
    """The attack: the first guest takes a signaling ticket, the patient revokes them and invites another guest;
    within the ticket's 2 minutes the first guest connects with it — as 'the guest' of the room again."""
    patient, booking_id, room_id = visit["patient"], visit["booking_id"], visit["room_id"]
    assert patient.post(f"/bookings/{booking_id}/guest", GUEST).status_code == 200
    _open(room_id)
    first = {"room_id": room_id, "token": guest_tokens(room_id)[0]}
    kept = ticket(client, first)  # taken while still invited
    assert patient.call("DELETE", f"/bookings/{booking_id}/guest").status_code == 200
    other = {**GUEST, "name": "Сидорова Ольга Ивановна", "email": "olga@example.org", "relation": "interpreter"}
    assert patient.post(f"/bookings/{booking_id}/guest", other).status_code == 200

    assert connect(kept)[1]["statusCode"] != 200  # the first guest's ticket was for the first guest only
    # The new guest's own ticket works.
    second = {"room_id": room_id, "token": guest_tokens(room_id, "olga@example.org")[0]}
    assert connect(ticket(client, second))[1]["statusCode"] == 200


def test_revoking_and_inviting_again_sends_no_more_than_the_days_limit(client, visit: dict[str, Any]) -> None:
    """The attack found on the walk: invite, revoke, invite… each invitation an email from the clinic to any
    address, past the resend limit. A wrong address may be corrected at once, but the day's five sends of the
    booking's guest link count every invitation."""
    patient, booking_id = visit["patient"], visit["booking_id"]
    answers = []
    for n in range(7):
        answers.append(patient.post(f"/bookings/{booking_id}/guest", {**GUEST, "email": f"g{n}@example.org"}))
        patient.call("DELETE", f"/bookings/{booking_id}/guest")
    assert [a.status_code for a in answers] == [200] * 5 + [429, 429]  # corrected at once, up to five a day
    assert "Приглашение недавно уже отправили" in answers[5].json["error"]["message"]
    assert int(answers[5].headers["Retry-After"]) > 0
    assert len([m for m in outbox() if m["to"][0].startswith("g") and m["to"][0].endswith("@example.org")]) == 5
