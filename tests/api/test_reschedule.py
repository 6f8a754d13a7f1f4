"""«Перенести»: a paid booking moves to another free time, keeping its payment and its room's link."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json

import pytest

from tests.api.conftest import another_patient, free_slots
from tests.api.test_payments import held, mails_to, pay
from tests.helpers import Api, Clock, set_own_password


def paid_far_ahead(patient: Api, doctor: dict, yookassa) -> tuple[dict, list[dict]]:  # type: ignore[no-untyped-def]
    """A booking paid ~3 days ahead, and the doctor's other free slots far from it (more than a day ahead)."""
    booking = held(patient, doctor, index=-1, days=3)
    pay(patient, booking, yookassa)
    limit = dt.datetime.now(dt.UTC) + dt.timedelta(hours=30)
    others = [
        s
        for s in free_slots(patient, doctor["id"], days=3)
        if dt.datetime.fromisoformat(s["starts_at"]) > limit and s["starts_at"] != booking["starts_at"]
    ]
    assert len(others) >= 3
    return patient.get(f"/bookings/{booking['id']}").json, others


ROLE = "arn:aws:iam::123456789012:role/booking-timer"


def move(api: Api, booking: dict, slot: dict):  # type: ignore[no-untyped-def]
    return api.post(f"/bookings/{booking['id']}/reschedule", {"slot_id": slot["id"]})


def executions() -> list[dict]:
    from chalicelib import aws
    from chalicelib.config import settings

    return list(aws.stepfunctions().list_executions(stateMachineArn=settings().state_machine_arn)["executions"])


def running() -> list[dict]:
    return [e for e in executions() if e["status"] == "RUNNING"]


def timer_input(execution: dict) -> dict:
    from chalicelib import aws

    return dict(json.loads(aws.stepfunctions().describe_execution(executionArn=execution["executionArn"])["input"]))


def calendar_of_last_mail() -> str:
    from chalicelib.devtools.outbox import _sent_messages

    raw = _sent_messages()[-1].raw_data
    message = email.message_from_bytes(raw.encode() if isinstance(raw, str) else raw, policy=email.policy.default)
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return bytes(part.get_payload(decode=True)).decode()


def test_the_patient_moves_a_paid_booking_keeping_payment_room_and_link(
    client, doctor: dict, patient: Api, yookassa
) -> None:
    booking, others = paid_far_ahead(patient, doctor, yookassa)
    [first] = running()
    assert first["name"] == booking["id"]
    target = others[0]

    moved = move(patient, booking, target)

    assert moved.status_code == 200, moved.json
    assert moved.json["starts_at"] == target["starts_at"] and moved.json["status"] == "paid"
    assert moved.json["room_id"] == booking["room_id"] and moved.json["payment_id"] == booking["payment_id"]
    again = patient.get(f"/bookings/{booking['id']}").json
    assert again["starts_at"] == target["starts_at"] and again["room_opens_at"] < target["starts_at"]
    free_now = [s["starts_at"] for s in free_slots(patient, doctor["id"], days=3)]
    assert booking["starts_at"] in free_now and target["starts_at"] not in free_now
    # Exactly one live execution per booking: the old one stopped, the new one named after the move.
    assert [e["name"] for e in running()] == [f"{booking['id']}-1"]
    from chalicelib.scheduling.times import to_key

    assert timer_input(running()[0])["starts_at"] == to_key(dt.datetime.fromisoformat(target["starts_at"]))
    # One email, with the new time and the calendar's event moved (same UID, higher SEQUENCE).
    moved_mails = [m for m in mails_to("anna@example.org") if m["subject"].startswith("Консультация перенесена")]
    assert len(moved_mails) == 1
    assert "оплата сохраняется" in moved_mails[0]["text"] and "По вашей просьбе" in moved_mails[0]["text"]
    ics = calendar_of_last_mail()
    assert f"UID:{booking['id']}@telemedicine" in ics and "SEQUENCE:1" in ics and "METHOD:REQUEST" in ics
    start_utc = dt.datetime.fromisoformat(target["starts_at"]).astimezone(dt.UTC)
    assert f"DTSTART:{start_utc:%Y%m%dT%H%M%S}Z" in ics

    # Moved again: still one live execution, the third name; SEQUENCE 2.
    second = move(patient, booking, others[1])
    assert second.status_code == 200, second.json
    assert [e["name"] for e in running()] == [f"{booking['id']}-2"]
    assert "SEQUENCE:2" in calendar_of_last_mail()
    # Cancelling the moved booking stops its current execution.
    assert patient.post(f"/bookings/{booking['id']}/cancel").status_code == 200
    assert running() == []


def test_the_patient_cannot_move_within_24_hours_the_registry_can(
    client, staff: Api, doctor: dict, patient: Api, yookassa
) -> None:
    booking, others = paid_far_ahead(patient, doctor, yookassa)
    starts = dt.datetime.fromisoformat(booking["starts_at"])
    clock = Clock(starts - dt.timedelta(hours=23))
    patient.login("anna@example.org")
    staff.login("registrar@example.org")
    target = next(s for s in others if dt.datetime.fromisoformat(s["starts_at"]) > clock.current)
    refused = move(patient, booking, target)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_reschedulable"
    assert "за 24 ч" in refused.json["error"]["message"] and "регистратуру" in refused.json["error"]["message"]
    assert patient.get(f"/bookings/{booking['id']}").json["starts_at"] == booking["starts_at"]

    by_registry = move(staff, booking, target)
    assert by_registry.status_code == 200, by_registry.json
    assert by_registry.json["starts_at"] == target["starts_at"]
    [mail] = [m for m in mails_to("anna@example.org") if m["subject"].startswith("Консультация перенесена")]
    assert "Регистратура перенесла" in mail["text"]


def test_a_slot_taken_meanwhile_refuses_and_leaves_the_booking_untouched(
    client, doctor: dict, patient: Api, yookassa, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import reschedule

    booking, others = paid_far_ahead(patient, doctor, yookassa)
    target = others[0]
    rival = another_patient(client)
    real_get_many = reschedule.get_many

    def read_then_lose_the_slot(keys):  # type: ignore[no-untyped-def]
        found = real_get_many(keys)  # the slot is read free …
        assert rival.post("/bookings", {"slot_id": target["id"]}).status_code == 201  # … and held by someone else
        return found

    monkeypatch.setattr(reschedule, "get_many", read_then_lose_the_slot)
    refused = move(patient, booking, target)
    monkeypatch.undo()

    assert refused.status_code == 409 and refused.json["error"]["code"] == "slot_taken"
    assert "осталась на прежнем времени" in refused.json["error"]["message"]
    after = patient.get(f"/bookings/{booking['id']}").json
    assert {k: after[k] for k in ("starts_at", "room_id", "status")} == {
        k: booking[k] for k in ("starts_at", "room_id", "status")
    }
    assert booking["starts_at"] not in [s["starts_at"] for s in free_slots(patient, doctor["id"], days=3)]
    assert [e["name"] for e in running()] == [booking["id"]]
    assert not [m for m in mails_to("anna@example.org") if m["subject"].startswith("Консультация перенесена")]


def colleague(staff: Api, price: int, specialty_id: str | None = None, email: str = "sokolov@example.org") -> dict:
    """Another doctor (of the first specialty unless told), working round the clock."""
    created = staff.post(
        "/doctors",
        {
            "email": email,
            "full_name": "Соколов Игорь Петрович",
            "specialty_id": specialty_id or staff.get("/specialties").json[0]["id"],
            "price": price,
            "duration_minutes": 30,
            "bio": "Кардиолог",
        },
    ).json
    hours = {str(d): [["00:00", "23:30"]] for d in range(1, 8)}
    assert staff.call("PUT", f"/doctors/{created['id']}/schedule", {"weekly_hours": hours}).status_code == 200
    return dict(created)


def test_a_slot_of_another_price_is_refused(client, staff: Api, doctor: dict, patient: Api, yookassa) -> None:
    booking, _ = paid_far_ahead(patient, doctor, yookassa)
    other = colleague(staff, 5000)
    dearer = free_slots(patient, other["id"], days=3)[-1]

    refused = move(patient, booking, dearer)

    assert refused.status_code == 409 and refused.json["error"]["code"] == "price_differs"
    assert "5\u00a0000" in refused.json["error"]["message"] or "5000" in refused.json["error"]["message"]
    assert patient.get(f"/bookings/{booking['id']}").json["starts_at"] == booking["starts_at"]
    assert dearer["starts_at"] in [s["starts_at"] for s in free_slots(patient, other["id"], days=3)]


def test_a_colleague_of_the_same_specialty_and_price_takes_the_booking_and_its_room(
    client, staff: Api, doctor: dict, patient: Api, yookassa
) -> None:
    booking, _ = paid_far_ahead(patient, doctor, yookassa)
    other = colleague(staff, 3500)
    slot = free_slots(patient, other["id"], days=3)[-1]

    moved = move(patient, booking, slot)

    assert moved.status_code == 200, moved.json
    assert moved.json["doctor"]["id"] == other["id"] and moved.json["doctor"]["full_name"] == "Соколов Игорь Петрович"
    assert moved.json["room_id"] == booking["room_id"]
    # The room is the colleague's now: he enters it, the first doctor does not.
    doctors = {}
    for login in ("orlova@example.org", "sokolov@example.org"):
        set_own_password(login, "correct horse battery")
        doctors[login] = Api(client)
        assert doctors[login].login(login).status_code == 200
    assert doctors["sokolov@example.org"].get(f"/rooms/{booking['room_id']}").status_code == 200
    assert doctors["orlova@example.org"].get(f"/rooms/{booking['room_id']}").status_code in (403, 404)
    # The first doctor's time is free again.
    assert booking["starts_at"] in [s["starts_at"] for s in free_slots(patient, doctor["id"], days=3)]


def test_a_doctor_of_another_specialty_is_refused(client, staff: Api, doctor: dict, patient: Api, yookassa) -> None:
    booking, _ = paid_far_ahead(patient, doctor, yookassa)
    therapy = staff.post("/specialties", {"name": "Терапия"}).json
    slot = free_slots(patient, colleague(staff, 3500, therapy["id"])["id"], days=3)[-1]

    refused = move(patient, booking, slot)

    assert refused.status_code == 409, refused.json
    assert "врачу той же специальности" in refused.json["error"]["message"]
    assert patient.get(f"/bookings/{booking['id']}").json["doctor"]["id"] == doctor["id"]


def test_someone_elses_booking_cannot_be_moved(client, doctor: dict, patient: Api, yookassa) -> None:
    booking, others = paid_far_ahead(patient, doctor, yookassa)
    stranger = another_patient(client)
    assert move(stranger, booking, others[0]).status_code == 404
    assert patient.get(f"/bookings/{booking['id']}").json["starts_at"] == booking["starts_at"]
    assert [e["name"] for e in running()] == [booking["id"]]


def test_the_doctor_does_not_move_his_consultations(client, doctor: dict, patient: Api, yookassa) -> None:
    booking, others = paid_far_ahead(patient, doctor, yookassa)
    set_own_password("orlova@example.org", "correct horse battery")
    as_doctor = Api(client)
    assert as_doctor.login("orlova@example.org").status_code == 200
    assert move(as_doctor, booking, others[0]).status_code == 404


@pytest.mark.parametrize("state", ["held", "cancelled", "completed"])
def test_unpaid_cancelled_and_completed_bookings_are_not_moved(
    client, doctor: dict, patient: Api, yookassa, state: str
) -> None:
    if state == "held":
        booking = held(patient, doctor, index=-1, days=3)
    else:
        booking, _ = paid_far_ahead(patient, doctor, yookassa)
        if state == "cancelled":
            assert patient.post(f"/bookings/{booking['id']}/cancel").status_code == 200
        else:
            from chalicelib.storage import bookings as store

            found = store.get_booking(booking["id"])
            assert found is not None and store.move(found, "completed", ("paid",), dt.datetime.now(dt.UTC).isoformat())
    target = [s for s in free_slots(patient, doctor["id"], days=3) if s["starts_at"] != booking["starts_at"]][-1]
    refused = move(patient, booking, target)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_reschedulable", refused.json
    assert target["starts_at"] in [s["starts_at"] for s in free_slots(patient, doctor["id"], days=3)]


def test_a_message_of_the_old_execution_acts_on_nothing(client, doctor: dict, patient: Api, yookassa) -> None:
    from chalicelib.scheduling.times import to_key

    booking, others = paid_far_ahead(patient, doctor, yookassa)
    old_start = to_key(dt.datetime.fromisoformat(booking["starts_at"]))
    assert move(patient, booking, others[0]).status_code == 200
    for kind in ("remind", "opened", "closed"):
        body = json.dumps(
            {"event": kind, "booking_id": booking["id"], "room_id": booking["room_id"], "starts_at": old_start}
        )
        client.lambda_.invoke(
            "timer_events", client.events.generate_sqs_event(message_bodies=[body], queue_name="timer-events")
        )
    after = patient.get(f"/bookings/{booking['id']}").json
    assert after["status"] == "paid" and after["refund_status"] is None
    assert not [m for m in mails_to("anna@example.org") if m["subject"].startswith("Напоминание")]


def test_with_step_functions_down_the_move_stands_and_the_outbox_starts_the_timer_later(
    client, doctor: dict, patient: Api, yookassa, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import EndpointConnectionError

    from chalicelib import aws, outbox

    booking, others = paid_far_ahead(patient, doctor, yookassa)
    real = aws.stepfunctions()

    class Down:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            raise EndpointConnectionError(endpoint_url="https://states.eu-central-1.amazonaws.com")

    monkeypatch.setattr(aws, "stepfunctions", lambda: Down())
    moved = move(patient, booking, others[0])
    assert moved.status_code == 200 and moved.json["starts_at"] == others[0]["starts_at"]
    monkeypatch.setattr(aws, "stepfunctions", lambda: real)
    assert [e["name"] for e in running()] == [booking["id"]]  # nothing swapped yet

    Clock(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    outbox.deliver_due()
    assert [e["name"] for e in running()] == [f"{booking['id']}-1"]


def test_the_old_times_execution_changes_nothing_in_the_moved_room(
    client, doctor: dict, patient: Api, yookassa, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state machine itself (moto runs it): an execution made for another start than the moved room's (the old
    one, not stopped in time), reaching its lobby, opening and closing, leaves the room scheduled; its messages reach
    the app and act on nothing."""
    import time

    from moto.core.config import default_user_config

    from chalicelib import aws, resources
    from chalicelib.config import settings
    from chalicelib.scheduling.times import to_key
    from chalicelib.storage import rooms

    booking, others = paid_far_ahead(patient, doctor, yookassa)
    old = timer_input(running()[0])
    assert move(patient, booking, others[0]).status_code == 200
    monkeypatch.setitem(default_user_config["stepfunctions"], "execute_state_machine", True)
    sfn = aws.stepfunctions()
    definition = resources.state_machine_definition(
        {"RoomsTable": settings().resource_name("rooms"), "TimerQueueUrl": settings().timer_queue_url}
    )
    machine = sfn.create_state_machine(name="old-times", definition=definition, roleArn=ROLE)["stateMachineArn"]
    soon = dt.datetime.now(dt.UTC)
    # An execution made for another start than the room's (the old time), its waits a few seconds long.
    other_start = {
        **old,
        "send_reminder": False,
        "lobby_at": to_key(soon + dt.timedelta(seconds=1)),
        "starts_at": to_key(soon + dt.timedelta(seconds=2)),
        "closes_at": to_key(soon + dt.timedelta(seconds=3)),
    }
    sfn.start_execution(stateMachineArn=machine, name="old", input=json.dumps(other_start))
    deadline = time.monotonic() + 30
    while sfn.list_executions(stateMachineArn=machine)["executions"][0]["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.2)

    room = rooms.get_room(booking["room_id"])
    assert room is not None and room.status == "scheduled"
    queue = aws.client("sqs")
    bodies = [
        m["Body"]
        for m in queue.receive_message(QueueUrl=settings().timer_queue_url, MaxNumberOfMessages=10)["Messages"]
    ]
    assert {json.loads(b)["event"] for b in bodies} == {"opened", "closed"}
    client.lambda_.invoke(
        "timer_events", client.events.generate_sqs_event(message_bodies=bodies, queue_name="timer-events")
    )
    after = patient.get(f"/bookings/{booking['id']}").json
    assert after["status"] == "paid" and after["starts_at"] == others[0]["starts_at"]
