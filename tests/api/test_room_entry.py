"""Into and out of the call (#17): the patient enters the room by session from the cabinet, the room's link is
sent again within limits (a new link; the old one stops working), the doctor ends the consultation (and may go
back in by mistake's undo), an ended consultation refuses the call, and signing the conclusion ends it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.api.conftest import another_patient, free_slots
from tests.helpers import Api, Clock, outbox, set_own_password


@pytest.fixture
def visit(client, staff: Api, doctor: dict, patient: Api, yookassa) -> dict[str, Any]:
    """A paid booking, its doctor signed in; the clock at the lobby's opening."""

    from chalicelib.timefmt import clinic_zone

    # The resend test walks the clock 30 minutes on and counts a clinic day: a slot far from the clinic's midnight
    # (the doctor here works 00:00-23:30, so the second free slot could open at 23:50 and the day's count reset).
    def far_from_midnight(slot: dict[str, Any]) -> bool:
        return 2 <= dt.datetime.fromisoformat(slot["starts_at"]).astimezone(clinic_zone()).hour < 22

    slot = [s for s in free_slots(patient, doctor["id"]) if far_from_midnight(s)][1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    booking = patient.get(f"/bookings/{booking['id']}").json
    set_own_password("orlova@example.org", "doctor secret 1")
    clock = Clock(dt.datetime.fromisoformat(booking["room_opens_at"]))
    from chalicelib.storage import rooms as room_store

    assert room_store.set_room_status(booking["room_id"], "lobby", ("scheduled",))  # what the timer does at the opening
    doctor_api = Api(client)
    doctor_api.login("orlova@example.org", "doctor secret 1")
    patient.login("anna@example.org")
    return {"booking": booking, "room_id": booking["room_id"], "doctor": doctor_api, "patient": patient, "clock": clock}


def links(room_id: str) -> list[str]:
    return [m for mail in outbox() for m in re.findall(r"/room/" + room_id + r"#token=([A-Za-z0-9_-]+)", mail["text"])]


def test_the_booking_says_when_the_room_can_be_entered_and_the_patient_enters_by_session(
    client, visit: dict[str, Any]
) -> None:
    patient, booking, clock = visit["patient"], visit["booking"], visit["clock"]
    clock.advance(seconds=-1)
    assert patient.get(f"/bookings/{booking['id']}").json["room_entry"] == "later"
    clock.advance(seconds=1)
    seen = patient.get(f"/bookings/{booking['id']}").json
    assert seen["room_entry"] == "open" and seen["room_id"] == visit["room_id"]
    assert [b["room_entry"] for b in patient.get("/bookings").json if b["id"] == booking["id"]] == ["open"]

    room = patient.get(f"/rooms/{visit['room_id']}")  # no token: the session
    assert room.status_code == 200, room.json
    assert room.json["role"] == "patient" and room.json["status"] in ("scheduled", "lobby")
    stranger = another_patient(client)
    assert stranger.get(f"/rooms/{visit['room_id']}").status_code == 404
    assert Api(client).get(f"/rooms/{visit['room_id']}").status_code == 404  # nobody's session, no token

    clock.current = dt.datetime.fromisoformat(booking["room_closes_at"])
    patient.login("anna@example.org")
    assert patient.get(f"/bookings/{booking['id']}").json["room_entry"] == "over"


def test_the_link_is_sent_again_as_a_new_one_within_the_limits(client, visit: dict[str, Any], staff: Api) -> None:
    from chalicelib.rooms import resend

    patient, booking, room_id, clock = visit["patient"], visit["booking"], visit["room_id"], visit["clock"]
    (first,) = links(room_id)
    sent = patient.post(f"/bookings/{booking['id']}/room-link")
    assert sent.status_code == 200, sent.json
    assert (
        dt.datetime.fromisoformat(sent.json["next_at"]) - dt.datetime.fromisoformat(sent.json["sent_at"])
        == resend.PAUSE
    )
    assert len(links(room_id)) == 2
    (second,) = set(links(room_id)) - {first}
    mail = next(m for m in outbox() if second in m["text"])
    assert mail["to"] == ["anna@example.org"] and "больше не работают" in mail["text"]
    # The new link opens the room; the one from the payment's email no longer does.
    assert Api(client).get(f"/rooms/{room_id}", headers={"X-Room-Token": second}).status_code == 200
    assert Api(client).get(f"/rooms/{room_id}", headers={"X-Room-Token": first}).status_code == 404

    again = patient.post(f"/bookings/{booking['id']}/room-link")
    assert again.status_code == 429 and again.json["error"]["code"] == "too_many_requests"
    assert "Отправить её ещё раз можно после" in again.json["error"]["message"]
    assert int(again.headers["Retry-After"]) == int(resend.PAUSE.total_seconds())
    assert len(links(room_id)) == 2  # nothing sent twice

    # Staff may send it for the patient (to the patient's email); another patient may not.
    clock.advance(minutes=5)
    staff.login("registrar@example.org")
    assert staff.post(f"/bookings/{booking['id']}/room-link").status_code == 200
    assert another_patient(client).post(f"/bookings/{booking['id']}/room-link").status_code == 404
    for _ in range(resend.PER_DAY - 2):
        clock.advance(minutes=5)
        patient.login("anna@example.org")
        assert patient.post(f"/bookings/{booking['id']}/room-link").status_code == 200
    clock.advance(minutes=5)
    patient.login("anna@example.org")
    over = patient.post(f"/bookings/{booking['id']}/room-link")
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 5 * 60
    assert len(links(room_id)) == 1 + resend.PER_DAY


def test_two_resends_at_once_send_one_email(client, visit: dict[str, Any]) -> None:
    from chalicelib.rooms import resend
    from chalicelib.storage import rooms as store

    room = store.get_room(visit["room_id"])
    stale = store.get_room(visit["room_id"])
    assert visit["patient"].post(f"/bookings/{visit['booking']['id']}/room-link").status_code == 200
    with pytest.raises(store.LinkChanged):  # the second one read the room before the first wrote
        store.replace_link(stale, "x" * 64, "2030-01-01T00:00:00+00:00", "2030-01-01", 1, _mail())
    assert room is not None and len(links(visit["room_id"])) == 2
    assert resend.PER_DAY == 5


def _mail() -> Any:
    from chalicelib.outbox import compose

    return compose("anna@example.org", "room_link", {})


def test_the_doctor_ends_the_consultation_the_patient_cannot_and_an_ended_one_refuses_the_call(
    client, visit: dict[str, Any]
) -> None:
    from chalicelib.rooms import signaling
    from chalicelib.storage import rooms as store

    doctor, patient, room_id, booking = visit["doctor"], visit["patient"], visit["room_id"], visit["booking"]
    assert patient.post(f"/rooms/{room_id}/end").status_code == 403
    assert store.get_room(room_id).ended_at is None
    ticket_url = doctor.get(f"/rooms/{room_id}").json["signaling_url"]

    ended = doctor.post(f"/rooms/{room_id}/end")
    assert ended.status_code == 200 and ended.json["ended_by"] == "doctor"
    again = doctor.post(f"/rooms/{room_id}/end")
    assert again.status_code == 200 and again.json["ended_at"] == ended.json["ended_at"]  # idempotent

    seen = patient.get(f"/rooms/{room_id}").json
    assert seen["status"] == "ended" and seen["signaling_url"] is None and seen["ice_servers"] == []
    assert patient.get(f"/bookings/{booking['id']}").json["room_entry"] == "over"  # no way in from the cabinet
    assert seen["booking_id"] == booking["id"] and seen["conclusion_ready"] is False and seen["can_reopen"] is False
    assert doctor.get(f"/rooms/{room_id}").json["can_reopen"] is True
    # A ticket bought before the end does not let a socket in; the link is not sent again either.
    query = dict(part.split("=", 1) for part in ticket_url.split("?", 1)[1].split("&"))
    assert signaling.connect("c-late", query) is False
    resent = patient.post(f"/bookings/{booking['id']}/room-link")
    assert resent.status_code == 409 and resent.json["error"]["code"] == "consultation_ended"

    # Ended by mistake: the doctor goes back in, and the room is as before.
    assert doctor.post(f"/rooms/{room_id}/reopen").status_code == 200
    back = doctor.get(f"/rooms/{room_id}").json
    assert back["status"] != "ended" and back["signaling_url"]
    assert patient.get(f"/bookings/{booking['id']}").json["room_entry"] == "open"


def test_a_connected_patient_is_told_when_the_doctor_ends_and_leaves(client, visit: dict[str, Any]) -> None:
    from chalicelib.rooms import signaling

    doctor, patient, room_id = visit["doctor"], visit["patient"], visit["room_id"]
    sent: list[tuple[str, dict]] = []

    class Recorder(signaling.Sender):
        def send(self, connection_id: str, message: dict) -> bool:
            sent.append((connection_id, message))
            return True

    sender = Recorder(None, Exception)
    for name, api in (("p", patient), ("d", doctor)):
        url = api.get(f"/rooms/{room_id}").json["signaling_url"]
        assert signaling.connect(name, dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&")))
    assert doctor.post(f"/rooms/{room_id}/end").status_code == 200
    signaling.message(sender, "d", '{"action": "leave"}')
    assert ("p", {"type": "room_closed", "reason": "consultation_ended"}) in sent
    sent.clear()
    signaling.message(sender, "p", '{"action": "join"}')
    assert sent == [
        ("p", {"type": "error", "code": "consultation_ended"}),
        ("p", {"type": "room_closed", "reason": "consultation_ended"}),
    ]


def test_signing_the_conclusion_ends_the_consultation_for_good(client, visit: dict[str, Any], staff: Api) -> None:
    from chalicelib.storage import rooms as store

    make_admin_key(client, visit)
    doctor, patient, room_id, booking = visit["doctor"], visit["patient"], visit["room_id"], visit["booking"]
    visit["clock"].current = dt.datetime.fromisoformat(booking["starts_at"]) + dt.timedelta(minutes=1)
    doctor.login("orlova@example.org", "doctor secret 1")
    patient.login("anna@example.org")
    assert patient.get(f"/rooms/{room_id}").json["status"] != "ended"
    signed = doctor.post(f"/bookings/{booking['id']}/conclusion", {"conclusion": "Здоров."})
    assert signed.status_code == 201, signed.json
    assert store.get_room(room_id).ended_by == "conclusion"
    seen = patient.get(f"/rooms/{room_id}").json
    assert seen["status"] == "ended" and seen["conclusion_ready"] is True and seen["signaling_url"] is None
    reopen = doctor.post(f"/rooms/{room_id}/reopen")
    assert reopen.status_code == 409 and reopen.json["error"]["code"] == "consultation_not_reopenable"


def make_admin_key(client, visit: dict[str, Any]) -> None:
    from tests.helpers import make_user

    make_user("admin@example.org", {"admin"})
    admin = Api(client)
    admin.login("admin@example.org")
    doctor_id = visit["booking"]["doctor"]["id"]
    assert admin.post(f"/doctors/{doctor_id}/signing-key").status_code == 201
