"""The doctor's waiting queue (#19): the patient in the lobby reports presence and the device check (by the link's
token or their session), only for their own room and only while it is in its lobby or open; the doctor reads who
waits in his rooms now, and nobody else does; a bad report is refused with the locale's words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.api.conftest import another_patient, free_slots
from tests.api.test_room_entry import links, visit  # noqa: F401  (the fixture: a paid booking, its lobby open)
from tests.helpers import Api, set_own_password

GOOD = {"camera": "yes", "microphone": "yes", "network_kbps": 2000}
ROW_KEYS = {
    "room_id",
    "booking_id",
    "role",
    "full_name",
    "patient_name",
    "starts_at",
    "since",
    "camera",
    "microphone",
    "network_kbps",
    "verdict",
    "room_status",
}


def put(api: Api, room_id: str, body: Any, token: str | None = None) -> Any:
    return api.call("PUT", f"/rooms/{room_id}/waiting", body, headers={"X-Room-Token": token} if token else None)


def token_of(room_id: str) -> str:
    (token,) = links(room_id)
    return token


def at(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)


def test_the_patient_in_the_lobby_is_in_the_doctors_queue_while_the_heartbeats_come(
    client,
    visit: dict[str, Any],
) -> None:
    doctor, patient, room_id, clock = visit["doctor"], visit["patient"], visit["room_id"], visit["clock"]
    assert doctor.get("/doctor/waiting").json == []
    token = token_of(room_id)

    # By the link alone (no session): the lobby's device check.
    seen = put(Api(client), room_id, GOOD, token)
    assert seen.status_code == 200, seen.json
    assert seen.json["verdict"] == "ok" and seen.json["next_in_seconds"] == 15
    assert at(seen.json["since"]) == clock.current
    (row,) = doctor.get("/doctor/waiting").json
    assert set(row) == ROW_KEYS
    assert row["full_name"] == "Петрова Анна Викторовна" and row["room_id"] == room_id
    assert row["booking_id"] == visit["booking"]["id"] and row["role"] == "patient"
    assert (row["camera"], row["microphone"], row["network_kbps"], row["verdict"]) == ("yes", "yes", 2000, "ok")
    assert at(row["since"]) == clock.current and row["since"].endswith("+03:00")  # the clinic's zone
    arrived = clock.current

    # A heartbeat later (by the patient's session now), the camera gone: still there since the first report.
    clock.advance(seconds=15)
    patient.login("anna@example.org")
    again = put(patient, room_id, {"camera": "no", "microphone": "yes", "network_kbps": 2000})
    assert again.status_code == 200 and again.json["verdict"] == "fail"
    (row,) = doctor.get("/doctor/waiting").json
    assert at(row["since"]) == arrived and row["camera"] == "no" and row["verdict"] == "fail"

    # Slow upstream (below the seed's 128 kbit/s), or the check not finished yet.
    assert (
        put(Api(client), room_id, {"camera": "yes", "microphone": "yes", "network_kbps": 127}, token).json["verdict"]
        == "fail"
    )
    assert put(Api(client), room_id, {"camera": "yes", "microphone": "checking"}, token).json["verdict"] == "checking"

    # No heartbeat for more than 45 s: gone from the queue; back within minutes (a background tab's timers are
    # slowed): the same visit, since the first report. After a longer silence: a new visit, since now.
    clock.advance(seconds=46)
    doctor.login("orlova@example.org", "doctor secret 1")
    assert doctor.get("/doctor/waiting").json == []
    back = put(Api(client), room_id, GOOD, token)
    assert at(back.json["since"]) == arrived
    assert len(doctor.get("/doctor/waiting").json) == 1
    clock.advance(minutes=5, seconds=1)
    later = put(Api(client), room_id, GOOD, token)
    assert at(later.json["since"]) == clock.current

    # Leaving (the call began, the page closed): out of the queue at once.
    left = Api(client).call("DELETE", f"/rooms/{room_id}/waiting", headers={"X-Room-Token": token})
    assert left.status_code == 204
    doctor.login("orlova@example.org", "doctor secret 1")
    assert doctor.get("/doctor/waiting").json == []
    # and coming back is a new visit
    clock.advance(seconds=5)
    assert at(put(Api(client), room_id, GOOD, token).json["since"]) == clock.current


def test_only_the_rooms_own_patient_reports_and_only_while_it_waits_for_the_call(
    client,
    visit: dict[str, Any],
    yookassa,
    doctor: dict,
) -> None:
    room_id, booking, clock = visit["room_id"], visit["booking"], visit["clock"]
    token = token_of(room_id)
    anonymous = Api(client)

    # A second paid booking of the same doctor, another patient's, its room not in the lobby yet.
    boris = another_patient(client)
    slot = [s for s in free_slots(boris, doctor["id"], days=3) if s["starts_at"] > booking["ends_at"]][-1]
    other = boris.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(boris.post(f"/bookings/{other['id']}/payment").json["payment_id"], "pay")
    other_room = boris.get(f"/bookings/{other['id']}").json["room_id"]
    other_token = token_of(other_room)

    # Another room's token, a made-up token, another patient's session, nobody: as if no such room.
    assert put(anonymous, room_id, GOOD, other_token).status_code == 404
    assert put(anonymous, other_room, GOOD, token).status_code == 404
    assert put(anonymous, room_id, GOOD, "x" * 32).status_code == 404
    assert put(anonymous, room_id, GOOD, "x" * 129).status_code in (400, 404)
    assert put(boris, room_id, GOOD).status_code == 404
    assert put(anonymous, room_id, GOOD).status_code == 404
    assert (
        anonymous.call("DELETE", f"/rooms/{room_id}/waiting", headers={"X-Room-Token": other_token}).status_code == 404
    )
    # The doctor is not a waiting patient.
    refused = put(visit["doctor"], room_id, GOOD)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"

    # Its own room before the lobby opens: refused, in words.
    early = put(anonymous, other_room, GOOD, other_token)
    assert early.status_code == 409 and early.json["error"]["code"] == "lobby_not_open"
    assert "Зал ожидания этой консультации сейчас закрыт" in early.json["error"]["message"]

    # Ended by the doctor: refused, and out of the queue.
    assert put(anonymous, room_id, GOOD, token).status_code == 200
    assert visit["doctor"].post(f"/rooms/{room_id}/end").status_code == 200
    ended = put(anonymous, room_id, GOOD, token)
    assert ended.status_code == 409 and ended.json["error"]["code"] == "consultation_ended"
    assert visit["doctor"].get("/doctor/waiting").json == []
    assert visit["doctor"].post(f"/rooms/{room_id}/reopen").status_code == 200
    assert len(visit["doctor"].get("/doctor/waiting").json) == 1

    # Its time over: closed.
    clock.current = at(booking["room_closes_at"])
    closed = put(anonymous, room_id, GOOD, token)
    assert closed.status_code == 410 and closed.json["error"]["code"] == "room_closed"
    visit["doctor"].login("orlova@example.org", "doctor secret 1")
    assert visit["doctor"].get("/doctor/waiting").json == []


def test_the_invited_guest_waits_too_labelled_and_not_once_revoked(client, visit: dict[str, Any]) -> None:
    from tests.api.test_guest import GUEST, guest_tokens

    doctor, patient, room_id, booking = visit["doctor"], visit["patient"], visit["room_id"], visit["booking"]
    patient_token = token_of(room_id)  # before the guest's link is in the outbox too
    assert patient.post(f"/bookings/{booking['id']}/guest", GUEST).status_code == 200
    (guest_token,) = guest_tokens(room_id)
    assert put(Api(client), room_id, GOOD, patient_token).status_code == 200
    visit["clock"].advance(seconds=2)
    seen = put(Api(client), room_id, {"camera": "no", "microphone": "yes", "network_kbps": 900}, guest_token)
    assert seen.status_code == 200, seen.json
    doctor.login("orlova@example.org", "doctor secret 1")
    rows = doctor.get("/doctor/waiting").json
    assert [(r["role"], r["full_name"], r["patient_name"], r["verdict"]) for r in rows] == [
        ("patient", "Петрова Анна Викторовна", "Петрова Анна Викторовна", "ok"),
        ("guest", "Петров Иван Сергеевич", "Петрова Анна Викторовна", "fail"),
    ]
    # The guest leaves; invited again and revoked, the old link reports nothing.
    assert (
        Api(client).call("DELETE", f"/rooms/{room_id}/waiting", headers={"X-Room-Token": guest_token}).status_code
        == 204
    )
    assert [r["role"] for r in doctor.get("/doctor/waiting").json] == ["patient"]
    assert put(Api(client), room_id, GOOD, guest_token).status_code == 200
    patient.login("anna@example.org")
    assert patient.call("DELETE", f"/bookings/{booking['id']}/guest").status_code == 200
    assert put(Api(client), room_id, GOOD, guest_token).status_code == 404
    assert [r["role"] for r in doctor.get("/doctor/waiting").json] == ["patient"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"camera": "maybe", "microphone": "yes", "network_kbps": 2000}, "camera"),
        ({"camera": True, "microphone": "yes", "network_kbps": 2000}, "camera"),
        ({"microphone": "yes", "network_kbps": 2000}, "camera"),
        ({"camera": "yes", "microphone": "", "network_kbps": 2000}, "microphone"),
        ({"camera": "yes", "microphone": "yes", "network_kbps": -1}, "network_kbps"),
        ({"camera": "yes", "microphone": "yes", "network_kbps": 10_000_001}, "network_kbps"),
        ({"camera": "yes", "microphone": "yes", "network_kbps": "fast"}, "network_kbps"),
        ({"camera": "yes", "microphone": "yes", "network_kbps": 2.5}, "network_kbps"),
    ],
)
def test_a_bad_report_is_refused_in_words_and_writes_nothing(
    client,
    visit: dict[str, Any],
    body: dict[str, Any],
    field: str,
) -> None:
    answer = put(Api(client), visit["room_id"], body, token_of(visit["room_id"]))
    assert answer.status_code == 400, answer.json
    error = answer.json["error"]
    assert error["code"] == "validation_error" and error["message"] == "Проверьте, пожалуйста, заполнение полей."
    assert any("а" <= ch <= "я" for ch in error["fields"][field].lower()), error["fields"]
    assert visit["doctor"].get("/doctor/waiting").json == []


def test_the_queue_is_the_doctors_own_and_nobody_elses(client, visit: dict[str, Any], staff: Api) -> None:
    room_id = visit["room_id"]
    assert put(Api(client), room_id, GOOD, token_of(room_id)).status_code == 200
    assert len(visit["doctor"].get("/doctor/waiting").json) == 1

    # Another doctor: his own queue, empty.
    staff.login("registrar@example.org")  # the clock moved to the lobby's opening: sessions from before are idle
    specialty = staff.post("/specialties", {"name": "Неврология"}).json
    created = staff.post(
        "/doctors",
        {
            "email": "sokolov@example.org",
            "full_name": "Соколов Павел Ильич",
            "specialty_id": specialty["id"],
            "price": 3000,
            "duration_minutes": 30,
            "bio": "Невролог",
        },
    )
    assert created.status_code == 201, created.json
    set_own_password("sokolov@example.org", "doctor secret 2")
    other_doctor = Api(client)
    other_doctor.login("sokolov@example.org", "doctor secret 2")
    assert other_doctor.get("/doctor/waiting").json == []

    # The patient, staff and nobody may not read it.
    patient = visit["patient"]
    patient.login("anna@example.org")
    assert patient.get("/doctor/waiting").status_code == 403
    assert staff.get("/doctor/waiting").status_code == 403
    assert Api(client).get("/doctor/waiting").status_code == 401


def test_a_poll_of_the_queue_costs_a_query_and_one_batch_read(
    client,
    visit: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page asks every 5 s: the bookings around now (one Query), their open rooms (one BatchGetItem)."""
    import botocore.client

    from chalicelib.rooms import waiting
    from chalicelib.storage import accounts

    room_id = visit["room_id"]
    assert put(Api(client), room_id, GOOD, token_of(room_id)).status_code == 200
    doctor = _principal_of(accounts.user_by_login("orlova@example.org"))
    calls: list[str] = []
    make_call = botocore.client.BaseClient._make_api_call

    def counted(botocore_client: Any, operation: str, params: dict[str, Any]) -> Any:
        calls.append(operation)
        return make_call(botocore_client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counted)
    rows = waiting.queue(doctor)
    monkeypatch.undo()
    assert [row["room_id"] for row in rows] == [room_id]
    assert calls == ["Query", "BatchGetItem"]

    # The whole request as the page makes it every 5 s: the session's read (and its idle time's write) on top.
    calls.clear()
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counted)
    assert len(visit["doctor"].get("/doctor/waiting").json) == 1
    monkeypatch.undo()
    assert calls.count("Query") == 1 and calls.count("BatchGetItem") == 1 and len(calls) <= 4, calls

    # The patient's heartbeat (every 15 s while waiting): the room's read and the conditional write.
    token = token_of(room_id)
    calls.clear()
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counted)
    assert put(Api(client), room_id, GOOD, token).status_code == 200
    monkeypatch.undo()
    assert calls == ["GetItem", "UpdateItem"], calls

    # Nobody's room open around now: the Query alone.
    visit["clock"].current = at(visit["booking"]["room_closes_at"]) + dt.timedelta(hours=1)
    calls.clear()
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counted)
    assert waiting.queue(doctor) == []
    monkeypatch.undo()
    assert calls == ["Query"]


def _principal_of(user: Any) -> Any:
    from chalicelib.accounts.sessions import Principal

    return Principal(user.user_id, user.email, user.full_name, frozenset(user.roles), False, "", {})
