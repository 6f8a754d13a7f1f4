"""Payment with YooKassa (the real SDK against the local emulator), notifications, refunds."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.api.conftest import another_patient, free_slots
from tests.helpers import Api, Clock, outbox, set_own_password


def held(patient: Api, doctor: dict, index: int = 0, days: int = 2) -> dict:
    slot = free_slots(patient, doctor["id"], days=days)[index]
    response = patient.post("/bookings", {"slot_id": slot["id"], "time_zone": "Asia/Yekaterinburg"})
    assert response.status_code == 201, response.json
    return response.json


def notify(client, event: str, obj: dict, source: str | None = None, monkeypatch=None):  # type: ignore[no-untyped-def]
    if source:
        from chalice.local import LambdaEventConverter

        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", source)
    response = client.http.post(
        "/payments/yookassa/webhook",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"type": "notification", "event": event, "object": obj}),
    )
    return response.status_code, json.loads(response.body)


def mails_to(address: str) -> list[dict]:
    return [m for m in outbox() if m["to"] == [address]]


def test_payment_is_created_from_our_price_with_a_receipt(doctor: dict, patient: Api, yookassa) -> None:
    booking = held(patient, doctor)
    response = patient.post(f"/bookings/{booking['id']}/payment")
    assert response.status_code == 200, response.json
    assert response.json["confirmation_url"].startswith(yookassa.base_url + "/checkout/")
    [(_method, _path, body)] = yookassa.requests
    assert body["amount"] == {"value": "3500.00", "currency": "RUB"}
    assert body["capture"] is True
    assert body["metadata"]["booking_id"] == booking["id"]
    assert len(body["description"]) <= 128 and "Кардиология" in body["description"]
    assert body["confirmation"]["type"] == "redirect"
    assert body["confirmation"]["return_url"].endswith(f"/bookings/{booking['id']}/payment")
    receipt = body["receipt"]
    assert receipt["customer"] == {"email": "anna@example.org"}
    [item] = receipt["items"]
    assert item["description"].startswith("Телемедицинская консультация")
    assert float(item["quantity"]) == 1 and item["vat_code"] == 1
    assert item["payment_subject"] == "service" and item["payment_mode"] == "full_prepayment"  # 54-FZ: prepaid

    shown = patient.get(f"/bookings/{booking['id']}").json
    assert shown["status"] == "awaiting_payment"
    assert shown["payment_id"] == response.json["payment_id"] and shown["payment_status"] == "pending"
    stretched = dt.datetime.fromisoformat(shown["hold_expires_at"]) - dt.datetime.now(dt.UTC)
    assert stretched > dt.timedelta(minutes=29)


def test_asking_twice_gives_the_same_payment(doctor: dict, patient: Api, yookassa) -> None:
    booking = held(patient, doctor)
    first = patient.post(f"/bookings/{booking['id']}/payment").json
    second = patient.post(f"/bookings/{booking['id']}/payment").json
    assert first == second
    assert len(yookassa.payments) == 1


def test_a_network_error_is_explained_and_the_retry_makes_no_second_payment(
    doctor: dict, patient: Api, yookassa
) -> None:
    booking = held(patient, doctor)
    yookassa.lose_responses = 1  # YooKassa made the payment, the answer was lost on the way
    failed = patient.post(f"/bookings/{booking['id']}/payment")
    assert failed.status_code == 503
    assert failed.json["error"]["code"] == "payment_unavailable"
    assert "Деньги не списаны" in failed.json["error"]["message"]
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "held"
    retried = patient.post(f"/bookings/{booking['id']}/payment")
    assert retried.status_code == 200
    assert len(yookassa.payments) == 1
    yookassa.fail_next = 1
    assert patient.post(f"/bookings/{booking['id']}/payment").json == retried.json  # known: no call needed


def test_paying_books_the_slot_and_sends_one_email_with_the_room_link(
    client, doctor: dict, patient: Api, yookassa
) -> None:
    from chalicelib import aws
    from chalicelib.config import settings

    booking = held(patient, doctor)
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    yookassa.decide(payment_id, "pay")
    assert yookassa.deliveries == [("payment.succeeded", payment_id, 200)]
    paid = patient.get(f"/bookings/{booking['id']}").json
    assert paid["status"] == "paid" and paid["room_id"]
    ahead = dt.datetime.fromisoformat(paid["starts_at"]) - dt.datetime.now(dt.UTC)
    assert paid["cancellation"]["refund"] == ("full" if ahead >= dt.timedelta(hours=24) else "none")
    assert booking["starts_at"] not in [s["starts_at"] for s in free_slots(patient, doctor["id"])]

    [mail] = mails_to("anna@example.org")
    assert mail["subject"].startswith("Консультация оплачена")
    assert f"/room/{paid['room_id']}#token=" in mail["text"]
    assert "Орлова Елена Дмитриевна" in mail["text"] and "3\u00a0500\u00a0₽" in mail["text"]
    assert "по московскому времени)\nПо вашему времени:" in mail["text"] and "Asia/Yekaterinburg)\n" in mail["text"]
    assert payment_id in mail["text"]
    assert mail["attachments"][0]["filename"] == "consultation.ics"
    assert mail["attachments"][0]["content_type"] == "text/calendar"

    executions = aws.stepfunctions().list_executions(stateMachineArn=settings().state_machine_arn)["executions"]
    assert [e["name"] for e in executions] == [booking["id"]]
    described = aws.stepfunctions().describe_execution(executionArn=executions[0]["executionArn"])
    assert json.loads(described["input"])["room_id"] == paid["room_id"]


def test_the_same_notification_ten_times_changes_things_once(client, doctor: dict, patient: Api, yookassa) -> None:
    booking = held(patient, doctor)
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    yookassa.decide(payment_id, "pay")
    body = yookassa.public(yookassa.payments[payment_id])
    for _ in range(10):
        status, answer = notify(client, "payment.succeeded", body)
        assert status == 200 and answer["result"] == "already_paid"
    assert len(mails_to("anna@example.org")) == 1
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "paid"


def test_a_foreign_source_is_refused_and_changes_nothing(
    client, doctor: dict, patient: Api, yookassa, monkeypatch: pytest.MonkeyPatch
) -> None:
    booking = held(patient, doctor)
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    forged = {**yookassa.public(yookassa.payments[payment_id]), "status": "succeeded", "paid": True}
    status, answer = notify(client, "payment.succeeded", forged, source="203.0.113.9", monkeypatch=monkeypatch)
    assert status == 403 and answer["error"]["code"] == "forbidden_source"
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "awaiting_payment"
    assert mails_to("anna@example.org") == []


def test_a_success_claimed_for_a_pending_payment_changes_nothing(client, doctor: dict, patient: Api, yookassa) -> None:
    booking = held(patient, doctor)
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    claimed = {**yookassa.public(yookassa.payments[payment_id]), "status": "succeeded", "paid": True}
    status, answer = notify(client, "payment.succeeded", claimed)
    assert status == 200 and answer["result"] == "nothing_to_do_pending"
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "awaiting_payment"


def test_canceled_after_succeeded_does_not_go_back(client, doctor: dict, patient: Api, yookassa) -> None:
    booking = held(patient, doctor)
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    yookassa.decide(payment_id, "pay")
    claimed = {**yookassa.public(yookassa.payments[payment_id]), "status": "canceled"}
    status, _ = notify(client, "payment.canceled", claimed)
    assert status == 200
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "paid"


def test_an_amount_mismatch_is_rejected_and_logged(
    client, doctor: dict, patient: Api, yookassa, capsys: pytest.CaptureFixture
) -> None:
    booking = held(patient, doctor)
    odd = yookassa.create_payment(
        {"amount": {"value": "1.00", "currency": "RUB"}, "metadata": {"booking_id": booking["id"]}}
    )
    yookassa.decide(odd["id"], "pay")
    assert yookassa.deliveries == [("payment.succeeded", odd["id"], 400)]
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "held"
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert any(line["event"] == "webhook_mismatch" and line["reason"] == "amount" for line in logged)
    unknown = yookassa.create_payment(
        {"amount": {"value": "3500.00", "currency": "RUB"}, "metadata": {"booking_id": "no-such-booking"}}
    )
    yookassa.decide(unknown["id"], "pay")
    assert yookassa.deliveries[-1] == ("payment.succeeded", unknown["id"], 400)


def test_malformed_notifications_are_bad_requests(client, yookassa) -> None:
    for body in ("not json", json.dumps({"type": "notification"}), json.dumps([1, 2])):
        response = client.http.post(
            "/payments/yookassa/webhook", headers={"Content-Type": "application/json"}, body=body
        )
        assert response.status_code == 400, body


def test_a_declined_card_can_be_paid_again(doctor: dict, patient: Api, yookassa) -> None:
    booking = held(patient, doctor)
    first = patient.post(f"/bookings/{booking['id']}/payment").json
    yookassa.decide(first["payment_id"], "decline")
    shown = patient.get(f"/bookings/{booking['id']}").json
    assert shown["status"] == "awaiting_payment" and shown["payment_status"] == "canceled"
    second = patient.post(f"/bookings/{booking['id']}/payment").json
    assert second["payment_id"] != first["payment_id"]
    yookassa.decide(second["payment_id"], "pay")
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "paid"


def test_a_late_payment_for_a_lost_slot_is_refunded(client, doctor: dict, patient: Api, yookassa, aws) -> None:
    clock = Clock()
    booking = held(patient, doctor, index=-1)
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    clock.advance(minutes=31)  # the payment window is over; the slot is free again
    other = another_patient(client)
    assert other.post("/bookings", {"slot_id": free_slot_id(booking)}).status_code == 201
    yookassa.decide(payment_id, "pay")
    [refund] = yookassa.refunds.values()
    assert refund["payment_id"] == payment_id and refund["amount"]["value"] == "3500.00"
    patient.login("anna@example.org")  # half an hour on the payment page: the session went idle
    shown = patient.get(f"/bookings/{booking['id']}").json
    assert shown["status"] == "refunded"
    [mail] = mails_to("anna@example.org")
    assert "занял другой пациент" in mail["text"] and "3\u00a0500\u00a0₽" in mail["text"]


def free_slot_id(booking: dict) -> str:
    from chalicelib.scheduling.times import slot_id, to_key

    return slot_id(booking["doctor"]["id"], to_key(dt.datetime.fromisoformat(booking["starts_at"])))


def pay(patient: Api, booking: dict, yookassa) -> None:
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    yookassa.decide(payment_id, "pay")


def test_cancelling_early_refunds_in_full(client, doctor: dict, patient: Api, yookassa) -> None:
    booking = held(patient, doctor, index=-1, days=3)
    pay(patient, booking, yookassa)
    starts = dt.datetime.fromisoformat(booking["starts_at"])
    Clock(starts - dt.timedelta(hours=25))
    patient.login("anna@example.org")
    cancelled = patient.post(f"/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "refunded"
    assert next(iter(yookassa.refunds.values()))["amount"]["value"] == "3500.00"
    assert "отменили консультацию" in mails_to("anna@example.org")[0]["text"]
    assert booking["starts_at"] in [s["starts_at"] for s in free_slots(patient, doctor["id"], days=3)]


def test_cancelling_late_refunds_nothing(client, doctor: dict, patient: Api, yookassa) -> None:
    booking = held(patient, doctor, index=-1, days=3)
    pay(patient, booking, yookassa)
    starts = dt.datetime.fromisoformat(booking["starts_at"])
    Clock(starts - dt.timedelta(hours=23))
    patient.login("anna@example.org")
    assert patient.get(f"/bookings/{booking['id']}").json["cancellation"]["refund"] == "none"
    cancelled = patient.post(f"/bookings/{booking['id']}/cancel")
    assert cancelled.json["status"] == "cancelled"
    assert yookassa.refunds == {}
    assert "не возвращается" in mails_to("anna@example.org")[0]["text"]


def test_staff_may_refund_at_any_time(client, staff: Api, doctor: dict, patient: Api, yookassa) -> None:
    booking = held(patient, doctor)
    pay(patient, booking, yookassa)
    assert patient.post(f"/bookings/{booking['id']}/refund").status_code == 403
    refunded = staff.post(f"/bookings/{booking['id']}/refund")
    assert refunded.status_code == 200 and refunded.json["status"] == "refunded"
    [refund_id] = yookassa.refunds
    # The emulator announces the refund inside the call that makes it, before our record is written: the app
    # asks to be told again (503), and YooKassa's next delivery finds it recorded.
    assert yookassa.deliveries[-1] == ("refund.succeeded", refund_id, 503)
    status, answer = notify(client, "refund.succeeded", yookassa.refunds[refund_id])
    assert status == 200 and answer["result"] == "refund_already_recorded"
    assert patient.get(f"/bookings/{booking['id']}").json["refund_status"] == "succeeded"


def test_the_doctors_day_lists_the_paid_consultation_with_its_room_window(doctor: dict, patient: Api, yookassa) -> None:
    from chalicelib.config import settings

    booking = held(patient, doctor)
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    set_own_password("orlova@example.org", "doctor secret 1")
    own = Api(patient.client)
    assert own.login("orlova@example.org", "doctor secret 1").status_code == 200

    day = booking["starts_at"][:10]  # the clinic's calendar day: times are shown in the clinic's zone
    [listed] = [b for b in own.get(f"/doctor/consultations?date={day}").json if b["id"] == booking["id"]]
    starts, ends = (dt.datetime.fromisoformat(listed[k]) for k in ("starts_at", "ends_at"))
    assert listed["status"] == "paid" and listed["room_id"]
    assert dt.datetime.fromisoformat(listed["room_opens_at"]) == starts - dt.timedelta(
        minutes=settings().room_lobby_minutes
    )
    assert dt.datetime.fromisoformat(listed["room_closes_at"]) == ends + dt.timedelta(
        minutes=settings().room_grace_minutes
    )
    assert listed["room_opens_at"].endswith("+03:00")
    # A booking not yet paid has no room to show.
    unpaid = held(patient, doctor, index=1)
    assert patient.get(f"/bookings/{unpaid['id']}").json["room_opens_at"] is None
