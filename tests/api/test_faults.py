"""Faults at the AWS and YooKassa boundaries: a clear answer, or the work retried — nothing lost."""
from __future__ import annotations

import contextlib
import json
from typing import Iterator

import botocore.client
import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import free_slots
from tests.helpers import Api, Clock, outbox


@contextlib.contextmanager
def failing(operation: str, code: str, times: int = 1000) -> Iterator[list[int]]:
    """Every call of `operation` (by any botocore client) fails with `code`, up to `times` times."""
    original = botocore.client.BaseClient._make_api_call
    count = [0]

    def broken(self, name, params):  # type: ignore[no-untyped-def]
        if name == operation and count[0] < times:
            count[0] += 1
            raise ClientError({"Error": {"Code": code, "Message": "injected"}}, name)
        return original(self, name, params)

    botocore.client.BaseClient._make_api_call = broken
    try:
        yield count
    finally:
        botocore.client.BaseClient._make_api_call = original


def paid_mails() -> list[dict]:
    return [m for m in outbox() if m["subject"].startswith("Консультация оплачена")]


def test_an_email_that_failed_is_sent_later(client, doctor: dict, patient: Api, yookassa, aws) -> None:
    from chalicelib.outbox import deliver_due

    clock = Clock()
    slot = free_slots(patient, doctor["id"])[-1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    with failing("SendRawEmail", "Throttling") as failures:
        yookassa.decide(payment_id, "pay")
    assert failures[0] >= 1
    assert yookassa.deliveries[-1][2] == 200  # the payment is recorded; the email waits
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "paid"
    assert paid_mails() == []
    assert deliver_due() == 0  # not due yet: the first pause is 30 s
    clock.advance(seconds=31)
    assert deliver_due() == 1
    assert len(paid_mails()) == 1
    clock.advance(minutes=5)
    assert deliver_due() == 0 and len(paid_mails()) == 1


def test_a_webhook_that_failed_is_answered_5xx_and_the_retry_works_once(client, doctor: dict, patient: Api,
                                                                        yookassa) -> None:
    slot = free_slots(patient, doctor["id"])[-1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    with failing("TransactWriteItems", "ProvisionedThroughputExceededException"):
        yookassa.decide(payment_id, "pay")
    assert yookassa.deliveries[-1] == ("payment.succeeded", payment_id, 503)
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "awaiting_payment"
    body = {"type": "notification", "event": "payment.succeeded",
            "object": yookassa.public(yookassa.payments[payment_id])}
    retried = client.http.post("/payments/yookassa/webhook", headers={"Content-Type": "application/json"},
                               body=json.dumps(body))
    assert retried.status_code == 200
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "paid"
    assert len(paid_mails()) == 1


def test_yookassa_down_while_checking_a_notification_means_a_retry(client, doctor: dict, patient: Api,
                                                                   yookassa) -> None:
    slot = free_slots(patient, doctor["id"])[-1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    yookassa.fail_next = 1  # the app's re-fetch of the payment fails
    yookassa.decide(payment_id, "pay")
    assert yookassa.deliveries[-1] == ("payment.succeeded", payment_id, 503)
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "awaiting_payment"


def test_a_throttled_store_gets_a_clear_answer(patient: Api) -> None:
    with failing("Query", "ProvisionedThroughputExceededException"):
        response = patient.get("/bookings")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "unavailable"
    assert "временно недоступен" in response.json["error"]["message"]


def test_a_failed_email_during_sign_up_leaves_the_card_and_says_so(client, staff: Api) -> None:
    with failing("SendRawEmail", "MessageRejected"):
        opened = staff.post("/patients", {"full_name": "Сидоров Пётр", "email": "petr@example.org",
                                          "phone": "+7 900 123-45-67", "birth_date": "1970-02-03"})
    assert opened.status_code == 201 and opened.json["credentials_sent"] is False
    again = staff.post(f"/patients/{opened.json['id']}/credentials")
    assert again.status_code == 200 and again.json["credentials_sent"] is True
