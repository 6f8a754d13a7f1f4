"""54-FZ receipts of a prepaid consultation (the real SDK against the local YooKassa): the prepayment receipt with
the payment, the closing receipt once the conclusion is signed (exactly once, retried), a refund's receipt; and the
malformed receipt data YooKassa refuses."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests

from tests.api.conftest import SECRET, SHOP, free_slots
from tests.helpers import Api, Clock, make_user, set_own_password

SECTIONS = {"complaints": "Одышка при ходьбе.", "conclusion": "Хроническая сердечная недостаточность, I ст."}


@pytest.fixture
def consultation(client, staff: Api, doctor: dict, patient: Api, yookassa) -> dict:
    """A paid booking, its doctor signed in with a signing key."""
    make_user("admin@example.org", {"admin"})
    admin = Api(client)
    admin.login("admin@example.org")
    assert admin.post(f"/doctors/{doctor['id']}/signing-key").status_code == 201
    slot = free_slots(patient, doctor["id"], days=3)[-1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    yookassa.decide(payment_id, "pay")
    set_own_password("orlova@example.org", "doctor secret 1")
    doctor_api = Api(client)
    doctor_api.login("orlova@example.org", "doctor secret 1")
    return {"booking": booking, "payment_id": payment_id, "doctor": doctor_api, "patient": patient, "staff": staff}


def sign(c: dict) -> object:
    """The doctor signs the conclusion at the consultation's start (everyone signs in again at that time)."""
    Clock(dt.datetime.fromisoformat(c["booking"]["starts_at"]) + dt.timedelta(minutes=5))
    c["doctor"].login("orlova@example.org", "doctor secret 1")
    c["patient"].login("anna@example.org")
    return c["doctor"].post(f"/bookings/{c['booking']['id']}/conclusion", SECTIONS)


def sent(yookassa, path: str) -> list[dict]:
    return [body for method, p, body in yookassa.requests if method == "POST" and p == path]


def receipts_shown(api: Api, booking_id: str) -> list[tuple[str, str]]:
    return [(r["kind"], r["status"]) for r in api.get(f"/bookings/{booking_id}").json["receipts"]]


def test_prepayment_at_payment_then_the_closing_receipt_once_the_conclusion_is_signed(
    consultation: dict, yookassa
) -> None:
    c, payment_id = consultation, consultation["payment_id"]
    [payment] = sent(yookassa, "/v3/payments")
    [item] = payment["receipt"]["items"]
    assert payment["receipt"]["customer"] == {"email": "anna@example.org"}
    assert (item["payment_mode"], item["payment_subject"], item["vat_code"]) == ("full_prepayment", "service", 1)
    assert item["amount"] == {"value": "3500.00", "currency": "RUB"}
    assert receipts_shown(c["patient"], c["booking"]["id"]) == [("prepayment", "succeeded")]
    assert sent(yookassa, "/v3/receipts") == []  # nothing is closed before the service is rendered

    signed = sign(c)
    assert signed.status_code == 201, signed.json
    [closing] = sent(yookassa, "/v3/receipts")
    assert closing["type"] == "payment" and closing["payment_id"] == payment_id and closing["send"] is True
    assert closing["customer"] == {"email": "anna@example.org"}
    assert closing["settlements"] == [{"type": "prepayment", "amount": {"value": "3500.00", "currency": "RUB"}}]
    [closing_item] = closing["items"]
    assert closing_item["payment_mode"] == "full_payment" and closing_item["amount"]["value"] == "3500.00"

    shown = c["patient"].get(f"/bookings/{c['booking']['id']}").json
    assert [(r["kind"], r["status"]) for r in shown["receipts"]] == [
        ("prepayment", "succeeded"),
        ("closing", "succeeded"),
    ]
    assert shown["receipts"][1]["receipt_id"] in yookassa.receipts.items
    assert all(r["at"].endswith("+03:00") and r["amount"] == 3500 for r in shown["receipts"])

    sequence = yookassa.receipts.sequence(payment_id)
    print("\nreceipt sequence of one consultation:\n" + "\n".join(json.dumps(r, ensure_ascii=False) for r in sequence))
    assert [(r["kind"], r["payment_mode"], r["settlements"], r["amount"]) for r in sequence] == [
        ("prepayment", ["full_prepayment"], [("cashless", "3500.00")], "3500.00"),
        ("closing", ["full_payment"], [("prepayment", "3500.00")], "3500.00"),
    ]
    # YooKassa's own list of the payment's receipts, through the SDK, says the same.
    from chalicelib.payments import gateway

    listed = json.loads(gateway._sdk()["Receipt"].list({"payment_id": payment_id}).json())["items"]
    assert [(r["type"], r["status"], r["settlements"][0]["type"]) for r in listed] == [
        ("payment", "succeeded", "cashless"),
        ("payment", "succeeded", "prepayment"),
    ]


def test_a_refund_carries_the_return_of_the_prepayment(consultation: dict, yookassa) -> None:
    c = consultation
    Clock(dt.datetime.fromisoformat(c["booking"]["starts_at"]) - dt.timedelta(hours=25))
    c["patient"].login("anna@example.org")
    cancelled = c["patient"].post(f"/bookings/{c['booking']['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "refunded"
    [refund] = sent(yookassa, "/v3/refunds")
    assert refund["amount"] == {"value": "3500.00", "currency": "RUB"}
    assert refund["receipt"]["customer"] == {"email": "anna@example.org"}
    [item] = refund["receipt"]["items"]
    assert item["payment_mode"] == "full_prepayment" and item["amount"]["value"] == "3500.00"
    assert [(r["kind"], r["status"]) for r in cancelled.json["receipts"]] == [
        ("prepayment", "succeeded"),
        ("refund", "succeeded"),
    ]
    assert [r["kind"] for r in yookassa.receipts.sequence(c["payment_id"])] == ["prepayment", "refund"]


def test_a_refund_after_the_closing_receipt_returns_a_full_payment(consultation: dict, yookassa) -> None:
    from chalicelib.payments import receipts
    from chalicelib.storage import bookings

    c = consultation
    assert sign(c).status_code == 201
    booking = bookings.get_booking(c["booking"]["id"])
    [item] = receipts.refund_receipt(booking, c["payment_id"])["items"]
    assert item["payment_mode"] == "full_payment"  # the service was rendered and closed: its return
    [other] = receipts.refund_receipt(booking, "another-payment")["items"]
    assert other["payment_mode"] == "full_prepayment"  # a second payment for it only ever prepaid


def test_the_closing_receipt_is_made_once_through_failures_retries_and_repeats(
    client, consultation: dict, yookassa
) -> None:
    from chalicelib import outbox
    from chalicelib.payments import receipts
    from chalicelib.storage import bookings
    from chalicelib.storage import outbox as outbox_store

    c = consultation
    yookassa.receipts.fail_next = 1  # YooKassa's receipts API answers 500 to the first attempt
    assert sign(c).status_code == 201  # signing stands: the receipt is a job of its own
    assert receipts_shown(c["patient"], c["booking"]["id"]) == [("prepayment", "succeeded"), ("closing", "pending")]
    assert [r["kind"] for r in yookassa.receipts.sequence(c["payment_id"])] == ["prepayment"]

    job = receipts.closing_job(bookings.get_booking(c["booking"]["id"]), "")
    pending = outbox_store.get_message(job.message_id)
    assert pending.status == "pending" and pending.attempts == 1 and pending.template == "closing_receipt"
    assert outbox.deliver_due() == 0  # not due yet: it waits its pause
    Clock(dt.datetime.fromisoformat(pending.next_attempt_at) + dt.timedelta(seconds=1))
    assert outbox.deliver_due() == 1
    assert outbox_store.get_message(job.message_id).status == "sent"
    c["patient"].login("anna@example.org")
    assert receipts_shown(c["patient"], c["booking"]["id"]) == [("prepayment", "succeeded"), ("closing", "succeeded")]

    # Again and again: the scheduled retry, the job delivered once more, the doctor signing twice, YooKassa
    # repeating its payment notification: no second closing receipt.
    assert outbox.deliver_due() == 0
    assert outbox.deliver(job.message_id) is True
    c["doctor"].login("orlova@example.org", "doctor secret 1")
    again = c["doctor"].post(f"/bookings/{c['booking']['id']}/conclusion", SECTIONS)
    assert again.status_code == 409 and again.json["error"]["code"] == "conclusion_signed"
    body = {
        "type": "notification",
        "event": "payment.succeeded",
        "object": yookassa.public(yookassa.payments[c["payment_id"]]),
    }
    answer = client.http.post(
        "/payments/yookassa/webhook", headers={"Content-Type": "application/json"}, body=json.dumps(body)
    )
    assert answer.status_code == 200
    # A job run again after its answer was lost (the receipt made, our record not): the same idempotence key
    # finds the same receipt at YooKassa.
    stored = outbox_store.get_message(job.message_id)
    assert receipts.run_job(job, dt.datetime.now(dt.UTC).isoformat()) == stored.ses_message_id
    assert [r["kind"] for r in yookassa.receipts.sequence(c["payment_id"])] == ["prepayment", "closing"]
    assert len(sent(yookassa, "/v3/receipts")) == 1  # the failed attempt was never received


def test_a_closing_receipt_yookassa_refuses_is_marked_not_made_and_never_retried(consultation: dict, yookassa) -> None:
    from chalicelib import outbox
    from chalicelib.payments import receipts
    from chalicelib.storage import bookings
    from chalicelib.storage import outbox as outbox_store

    c = consultation
    yookassa.payments[c["payment_id"]]["status"] = "canceled"  # YooKassa no longer holds it as paid
    assert sign(c).status_code == 201
    job = receipts.closing_job(bookings.get_booking(c["booking"]["id"]), "")
    assert outbox_store.get_message(job.message_id).status == "failed"
    assert receipts_shown(c["patient"], c["booking"]["id"]) == [("prepayment", "succeeded"), ("closing", "canceled")]
    assert [f["template"] for f in outbox.failed()] == ["closing_receipt"]  # on the staff's list of failed mail


RECEIPT = {
    "customer": {"email": "anna@example.org"},
    "items": [
        {
            "description": "Телемедицинская консультация",
            "quantity": "1.00",
            "amount": {"value": "3500.00", "currency": "RUB"},
            "vat_code": 1,
            "payment_subject": "service",
            "payment_mode": "full_prepayment",
        }
    ],
}


def _item(**changes: object) -> dict:
    return {**RECEIPT, "items": [{**RECEIPT["items"][0], **changes}]}


MALFORMED = [
    ("no contact", {**RECEIPT, "customer": {"full_name": "Петрова Анна"}}, "receipt.customer"),
    ("zero price", _item(amount={"value": "0.00", "currency": "RUB"}), "receipt.items[0].amount.value"),
    ("three decimals", _item(amount={"value": "3500.001", "currency": "RUB"}), "receipt.items[0].amount.value"),
    ("dollars", _item(amount={"value": "3500.00", "currency": "USD"}), "receipt.items[0].amount.currency"),
    ("sum differs", _item(quantity="2.00"), "receipt.items"),
    ("payment mode", _item(payment_mode="prepaid"), "receipt.items[0].payment_mode"),
    ("vat code", _item(vat_code=20), "receipt.items[0].vat_code"),
]


def _post(yookassa, path: str, body: dict, key: str) -> requests.Response:
    return requests.post(
        f"{yookassa.api_url}/{path}", json=body, auth=(SHOP, SECRET), headers={"Idempotence-Key": key}, timeout=10
    )


def _refused(answer: requests.Response, parameter: str) -> None:
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert error["type"] == "error" and error["code"] == "invalid_request" and error["id"]
    assert error["description"] and error["parameter"] == parameter


@pytest.mark.parametrize(("case", "receipt", "parameter"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_yookassa_refuses_a_malformed_receipt_with_a_payment_or_a_refund(
    yookassa, case: str, receipt: dict, parameter: str
) -> None:
    amount = {"value": "3500.00", "currency": "RUB"}
    _refused(_post(yookassa, "payments", {"amount": amount, "receipt": receipt}, f"p-{case}"), parameter)
    assert yookassa.payments == {} and yookassa.receipts.items == {}
    paid = _post(yookassa, "payments", {"amount": amount, "receipt": RECEIPT}, "good")
    assert paid.status_code == 200, paid.text
    yookassa.decide(paid.json()["id"], "pay")
    refund = {"payment_id": paid.json()["id"], "amount": amount, "receipt": receipt}
    _refused(_post(yookassa, "refunds", refund, f"r-{case}"), parameter)
    assert yookassa.refunds == {}


def test_yookassa_refuses_wrong_payment_amounts(yookassa) -> None:
    for amount, parameter in (
        ({"value": "-1.00", "currency": "RUB"}, "amount.value"),
        ({"value": "1.5.0", "currency": "RUB"}, "amount.value"),
        ({"value": "3500.00", "currency": "EUR"}, "amount.currency"),
    ):
        _refused(_post(yookassa, "payments", {"amount": amount, "receipt": RECEIPT}, str(amount)), parameter)


def test_yookassa_refuses_a_malformed_closing_receipt(yookassa) -> None:
    amount = {"value": "3500.00", "currency": "RUB"}
    pending = _post(yookassa, "payments", {"amount": amount, "receipt": RECEIPT}, "pending").json()
    paid = _post(yookassa, "payments", {"amount": amount, "receipt": RECEIPT}, "paid").json()
    yookassa.decide(paid["id"], "pay")
    closing = {
        "type": "payment",
        "payment_id": paid["id"],
        "send": True,
        **_item(payment_mode="full_payment"),
        "settlements": [{"type": "prepayment", "amount": amount}],
    }
    for n, (changes, parameter) in enumerate(
        [
            ({"payment_id": "no-such-payment"}, "payment_id"),
            ({"payment_id": pending["id"]}, "payment_id"),  # not paid
            ({"customer": {}}, "customer"),
            ({"settlements": [{"type": "prepayment", "amount": {"value": "3000.00", "currency": "RUB"}}]}, "items"),
            ({"settlements": [{"type": "advance", "amount": amount}]}, "settlements[0].type"),
            (
                _item(payment_mode="full_payment", amount={"value": "35.005", "currency": "RUB"}),
                "items[0].amount.value",
            ),
            (_item(payment_mode="whatever"), "items[0].payment_mode"),
        ]
    ):
        _refused(_post(yookassa, "receipts", {**closing, **changes}, f"c-{n}"), parameter)
    assert [r["_kind"] for r in yookassa.receipts.items.values()] == ["prepayment", "prepayment"]
    made = _post(yookassa, "receipts", closing, "closing")
    assert made.status_code == 200 and made.json()["status"] == "succeeded"
    assert _post(yookassa, "receipts", closing, "closing").json()["id"] == made.json()["id"]  # the key: once
    assert requests.get(f"{yookassa.api_url}/receipts/{made.json()['id']}", auth=(SHOP, SECRET), timeout=10).ok


def test_a_receipt_yookassa_is_still_registering_is_followed_until_it_is_registered(
    doctor: dict, patient: Api, yookassa
) -> None:
    from chalicelib import outbox

    yookassa.receipts.register_later = True  # YooKassa answers "pending" and registers the receipt a while later
    slot = free_slots(patient, doctor["id"], days=3)[-1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    yookassa.decide(payment_id, "pay")
    assert receipts_shown(patient, booking["id"]) == [("prepayment", "pending")]
    assert outbox.deliver_due() == 0  # asked: still being registered, asked again later
    yookassa.receipts.register(payment_id)
    clock = Clock(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    assert outbox.deliver_due() == 1
    assert receipts_shown(patient, booking["id"]) == [("prepayment", "succeeded")]

    # The refund's receipt, likewise.
    clock.current = dt.datetime.fromisoformat(booking["starts_at"]) - dt.timedelta(hours=25)
    patient.login("anna@example.org")
    assert patient.post(f"/bookings/{booking['id']}/cancel").json["status"] == "refunded"
    assert receipts_shown(patient, booking["id"]) == [("prepayment", "succeeded"), ("refund", "pending")]
    yookassa.receipts.register(payment_id)
    clock.advance(minutes=1)
    assert outbox.deliver_due() == 1
    assert receipts_shown(patient, booking["id"]) == [("prepayment", "succeeded"), ("refund", "succeeded")]
    assert outbox.deliver_due() == 0  # followed to the end: nothing left to ask


def test_a_closing_receipt_still_being_registered_is_followed_until_it_is(consultation: dict, yookassa) -> None:
    from chalicelib import outbox

    c = consultation
    yookassa.receipts.register_later = True
    assert sign(c).status_code == 201
    assert receipts_shown(c["patient"], c["booking"]["id"]) == [("prepayment", "succeeded"), ("closing", "pending")]
    yookassa.receipts.register(c["payment_id"])
    from chalicelib.clock import now

    Clock(now() + dt.timedelta(minutes=1))  # past the job's pause
    c["patient"].login("anna@example.org")
    assert outbox.deliver_due() == 1
    assert receipts_shown(c["patient"], c["booking"]["id"]) == [("prepayment", "succeeded"), ("closing", "succeeded")]
    assert len(sent(yookassa, "/v3/receipts")) == 1  # followed, never asked for twice
