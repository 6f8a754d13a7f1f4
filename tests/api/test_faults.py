"""Faults at the AWS and YooKassa boundaries: a clear answer, or the work retried — nothing lost."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import botocore.client
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from tests.api.conftest import free_slots
from tests.helpers import Api, Clock, outbox


@contextlib.contextmanager
def aws_calls_through(operation: str, handle) -> Iterator[list[int]]:  # type: ignore[no-untyped-def]
    """Every call of `operation` (by any botocore client) goes to `handle(client, name, params, original,
    count)` instead; `count` (a one-item list) is what the block gets."""
    original = botocore.client.BaseClient._make_api_call
    count = [0]

    def patched(self, name, params):  # type: ignore[no-untyped-def]
        if name == operation:
            return handle(self, name, params, original, count)
        return original(self, name, params)

    botocore.client.BaseClient._make_api_call = patched
    try:
        yield count
    finally:
        botocore.client.BaseClient._make_api_call = original


def failing(operation: str, code: str, times: int = 1000):  # type: ignore[no-untyped-def]
    """Every call of `operation` fails with `code` (an AWS error code, or "timeout": no answer in
    time), up to `times` times."""

    def broken(client, name, params, original, count):  # type: ignore[no-untyped-def]
        if count[0] >= times:
            return original(client, name, params)
        count[0] += 1
        if code == "timeout":
            raise ReadTimeoutError(endpoint_url=f"https://{client.meta.service_model.endpoint_prefix}.amazonaws.com")
        raise ClientError({"Error": {"Code": code, "Message": "injected"}}, name)

    return aws_calls_through(operation, broken)


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


def test_a_webhook_that_failed_is_answered_5xx_and_the_retry_works_once(
    client, doctor: dict, patient: Api, yookassa
) -> None:
    slot = free_slots(patient, doctor["id"])[-1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    with failing("TransactWriteItems", "ProvisionedThroughputExceededException"):
        yookassa.decide(payment_id, "pay")
    assert yookassa.deliveries[-1] == ("payment.succeeded", payment_id, 503)
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "awaiting_payment"
    body = {
        "type": "notification",
        "event": "payment.succeeded",
        "object": yookassa.public(yookassa.payments[payment_id]),
    }
    retried = client.http.post(
        "/payments/yookassa/webhook", headers={"Content-Type": "application/json"}, body=json.dumps(body)
    )
    assert retried.status_code == 200
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "paid"
    assert len(paid_mails()) == 1


def test_yookassa_down_while_checking_a_notification_means_a_retry(
    client, doctor: dict, patient: Api, yookassa
) -> None:
    slot = free_slots(patient, doctor["id"])[-1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    yookassa.fail_next = 1  # the app's re-fetch of the payment fails
    yookassa.decide(payment_id, "pay")
    assert yookassa.deliveries[-1] == ("payment.succeeded", payment_id, 503)
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "awaiting_payment"


@pytest.mark.parametrize(
    "code",
    [
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "InternalServerError",
        "ServiceUnavailable",
        "timeout",
    ],
)
def test_a_failing_store_gets_a_clear_answer(patient: Api, code: str) -> None:
    with failing("Query", code):
        response = patient.get("/bookings")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "unavailable"
    assert "временно недоступен" in response.json["error"]["message"]


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "InternalServerError", "timeout"])
def test_a_hold_the_store_could_not_write_leaves_nothing_behind(doctor: dict, patient: Api, code: str) -> None:
    slot = free_slots(patient, doctor["id"])[0]
    with failing("TransactWriteItems", code):
        refused = patient.post("/bookings", {"slot_id": slot["id"]})
    assert refused.status_code == 503 and refused.json["error"]["code"] == "unavailable"
    assert patient.get("/bookings").json == []
    assert slot["id"] in [s["id"] for s in free_slots(patient, doctor["id"])]
    # The same hold, asked again, succeeds.
    assert patient.post("/bookings", {"slot_id": slot["id"]}).status_code == 201


def test_a_failed_email_during_sign_up_leaves_the_card_and_says_so(client, staff: Api) -> None:
    with failing("SendRawEmail", "MessageRejected"):
        opened = staff.post(
            "/patients",
            {
                "full_name": "Сидоров Пётр",
                "email": "petr@example.org",
                "phone": "+7 900 123-45-67",
                "birth_date": "1970-02-03",
            },
        )
    assert opened.status_code == 201 and opened.json["credentials_sent"] is False
    again = staff.post(f"/patients/{opened.json['id']}/credentials")
    assert again.status_code == 200 and again.json["credentials_sent"] is True


@pytest.mark.parametrize("code", ["SlowDown", "InternalError", "timeout"])
def test_a_file_check_the_storage_could_not_do_is_answered_503_and_can_be_finished_later(
    client, doctor: dict, patient: Api, yookassa, code: str
) -> None:
    import requests

    slot = free_slots(patient, doctor["id"])[1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    form = patient.post(
        f"/bookings/{booking['id']}/attachments",
        {"filename": "анализы.pdf", "content_type": "application/pdf", "size": len(pdf)},
    ).json
    sent = requests.post(
        form["url"], data=form["fields"], files={"file": ("a.pdf", pdf, "application/pdf")}, timeout=10
    )
    assert sent.status_code in (200, 201, 204)
    complete = f"/bookings/{booking['id']}/attachments/{form['attachment_id']}/complete"
    with failing("GetObject", code):
        refused = patient.post(complete)
    # Not "the file is missing": the storage did not answer, and the uploaded file is kept.
    assert refused.status_code == 503 and refused.json["error"]["code"] == "unavailable"
    done = patient.post(complete)
    assert done.status_code == 200 and done.json["status"] == "ready"


def answered_twice(operation: str):  # type: ignore[no-untyped-def]
    """Each `operation` reaches AWS twice, as when the SDK retries after the first answer was lost."""

    def twice(client, name, params, original, count):  # type: ignore[no-untyped-def]
        count[0] += 1
        original(client, name, params)
        return original(client, name, params)

    return aws_calls_through(operation, twice)


def test_a_sign_in_whose_first_answer_was_lost_still_signs_in(client, patient: Api) -> None:
    fresh = Api(client)
    with answered_twice("PutItem") as count:
        signed = fresh.login("anna@example.org")
    assert count[0] >= 1
    assert signed.status_code == 200, signed.json
    assert fresh.get("/bookings").status_code == 200
