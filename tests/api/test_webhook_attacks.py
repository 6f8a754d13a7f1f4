"""YooKassa's webhook, attacked: redelivery in every booking status, every event type, replay, out of order,
unknown and mismatched payments, strangers.

YooKassa's notifications carry no signature and are redelivered until answered 200 (and whenever YooKassa
likes). Whoever can make one arrive again — YooKassa itself, a retry, a replayed capture from a trusted
address — must get no money back and no state change for a payment the booking already took.

Each booking status is reached by the real path: the API, the clock, the timer's SQS events, a signed
conclusion. Only the doctor's presence in the room is written with the signaling's own domain call.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import another_patient, free_slots
from tests.helpers import Api, Clock, make_user, outbox

PATIENT = "anna@example.org"
DOCTOR_PASSWORD = "doctor secret 1"
SECTIONS = {
    "complaints": "Головная боль.",
    "anamnesis": "Нет.",
    "examination": "Без особенностей.",
    "conclusion": "Здоров.",
    "recommendations": "Наблюдение.",
}


def notify(client, event: str, obj: dict) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    response = client.http.post(
        "/payments/yookassa/webhook",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"type": "notification", "event": event, "object": obj}),
    )
    return response.status_code, json.loads(response.body)


class World:
    """One patient, one doctor, the emulator; helpers that walk a booking through its statuses."""

    def __init__(
        self,
        client,
        staff: Api,
        doctor: dict,
        patient: Api,
        yookassa,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from chalicelib import timer

        self.client, self.staff, self.doctor, self.patient, self.yookassa = client, staff, doctor, patient, yookassa
        self.timer_starts: list[str] = []
        real_start = timer.start

        def counting_start(booking, room):  # type: ignore[no-untyped-def]
            self.timer_starts.append(booking.booking_id)
            return real_start(booking, room)

        monkeypatch.setattr(timer, "start", counting_start)
        self.clock: Clock | None = None

    # Time -------------------------------------------------------------------------------------

    def at(self, moment: dt.datetime) -> None:
        self.clock = Clock(moment)
        self.patient.login(PATIENT)  # sessions go idle when the clock jumps

    # Booking and paying ------------------------------------------------------------------------

    def hold(self, index: int = -1, days: int = 3) -> dict:
        slot = free_slots(self.patient, self.doctor["id"], days=days)[index]
        response = self.patient.post("/bookings", {"slot_id": slot["id"]})
        assert response.status_code == 201, response.json
        return response.json

    def hold_runs_out_and_another_takes_the_time(self, booking: dict) -> None:
        from tests.api.test_payments import free_slot_id

        self.at(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31))
        other = another_patient(self.client)
        assert other.post("/bookings", {"slot_id": free_slot_id(booking)}).status_code == 201

    def start_payment(self, booking: dict) -> str:
        response = self.patient.post(f"/bookings/{booking['id']}/payment")
        assert response.status_code == 200, response.json
        return response.json["payment_id"]

    def pay(self, payment_id: str, delivered: bool = True) -> None:
        """The patient pays on YooKassa's page; with delivered=False our app missed the notification."""
        if delivered:
            self.yookassa.decide(payment_id, "pay")
            return
        notify_app = self.yookassa.notify
        self.yookassa.notify = lambda body: 503  # the app was down: YooKassa will try again
        try:
            self.yookassa.decide(payment_id, "pay")
        finally:
            self.yookassa.notify = notify_app

    def paid(self, index: int = -1, days: int = 3) -> tuple[dict, str]:
        booking = self.hold(index, days)
        payment_id = self.start_payment(booking)
        self.pay(payment_id)
        assert self.stored(booking["id"]).status == "paid"
        return booking, payment_id

    def redeliver(self, payment_id: str, event: str = "payment.succeeded") -> tuple[int, dict]:
        return notify(self.client, event, self.yookassa.public(self.yookassa.payments[payment_id]))

    # The timer's events (SQS, as the state machine sends them) ----------------------------------

    def timer_event(self, kind: str, booking_id: str) -> None:
        booking = self.stored(booking_id)
        body = json.dumps({"event": kind, "booking_id": booking_id, "room_id": booking.room_id})
        self.client.lambda_.invoke(
            "timer_events", self.client.events.generate_sqs_event(message_bodies=[body], queue_name="timer-events")
        )

    def doctor_present(self, booking_id: str) -> None:
        from chalicelib.storage import rooms as rooms_store

        room = rooms_store.get_room(self.stored(booking_id).room_id)
        rooms_store.mark_joined(room, "doctor", self.clock.current.isoformat() if self.clock else "")

    def doctor_api(self) -> Api:
        from chalicelib.accounts import passwords
        from chalicelib.storage import accounts as store

        user = store.user_by_login("orlova@example.org")
        store.set_password(
            user,
            passwords.hash_password(DOCTOR_PASSWORD),
            must_change=False,
            temporary_until=None,
            changed_at=user.created_at,
        )
        api = Api(self.client)
        assert api.login("orlova@example.org", DOCTOR_PASSWORD).status_code == 200
        return api

    def signing_key(self) -> None:
        make_user("admin@example.org", {"admin"})
        admin = Api(self.client)
        admin.login("admin@example.org")
        assert admin.post(f"/doctors/{self.doctor['id']}/signing-key").status_code == 201

    # What can be observed ----------------------------------------------------------------------

    @staticmethod
    def stored(booking_id: str) -> Any:
        from chalicelib.storage import bookings as booking_store

        booking = booking_store.get_booking(booking_id)
        assert booking is not None
        return booking

    def refund_requests(self) -> list[dict]:
        return [body for method, path, body in self.yookassa.requests if path == "/v3/refunds"]

    def effects(self, booking_id: str) -> dict[str, Any]:
        """Everything a notification could change: the booking, money sent back, emails."""
        booking = self.stored(booking_id)
        return {
            "booking": {
                k: getattr(booking, k)
                for k in (
                    "status",
                    "payment_id",
                    "payment_status",
                    "paid_at",
                    "refund_id",
                    "refund_status",
                    "refund_reason",
                    "refunded_at",
                    "room_id",
                    "hold_expires_at",
                )
            },
            "refund_requests": len(self.refund_requests()),
            "refunds": len(self.yookassa.refunds),
            "mails": sorted(m["subject"] for m in outbox() if m["to"] == [PATIENT]),
        }


@pytest.fixture
def world(
    client,
    staff: Api,
    doctor: dict,
    patient: Api,
    yookassa,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    return World(client, staff, doctor, patient, yookassa, monkeypatch)


def starts(booking: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(booking["starts_at"])


# Each setup leaves a booking whose own payment has succeeded at YooKassa: (booking id, payment id).
# Setups marked "missed" leave the first notification unanswered, as when the app was down.


def in_paid(w: World) -> tuple[str, str]:
    booking, payment_id = w.paid()
    return booking["id"], payment_id


def in_progress(w: World) -> tuple[str, str]:
    booking, payment_id = w.paid()
    w.at(starts(booking) + dt.timedelta(minutes=1))
    w.timer_event("opened", booking["id"])
    assert w.stored(booking["id"]).status == "in_progress"
    return booking["id"], payment_id


def in_completed(w: World) -> tuple[str, str]:
    w.signing_key()
    booking_id, payment_id = in_progress(w)
    doctor = w.doctor_api()
    signed = doctor.post(f"/bookings/{booking_id}/conclusion", SECTIONS)
    assert signed.status_code == 201, signed.json
    assert w.stored(booking_id).status == "completed"
    return booking_id, payment_id


def in_cancelled_late(w: World) -> tuple[str, str]:
    booking, payment_id = w.paid()
    w.at(starts(booking) - dt.timedelta(hours=23))
    cancelled = w.patient.post(f"/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled", cancelled.json
    assert w.refund_requests() == []
    return booking["id"], payment_id


def in_refunded_early(w: World) -> tuple[str, str]:
    booking, payment_id = w.paid()
    w.at(starts(booking) - dt.timedelta(hours=25))
    cancelled = w.patient.post(f"/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "refunded", cancelled.json
    assert len(w.refund_requests()) == 1
    return booking["id"], payment_id


def in_refunded_by_staff(w: World) -> tuple[str, str]:
    booking, payment_id = w.paid()
    assert w.staff.post(f"/bookings/{booking['id']}/refund").json["status"] == "refunded"
    return booking["id"], payment_id


def in_no_show_doctor(w: World) -> tuple[str, str]:
    booking, payment_id = w.paid()
    w.at(starts(booking) + dt.timedelta(minutes=1))
    w.timer_event("opened", booking["id"])
    w.at(dt.datetime.fromisoformat(booking["ends_at"]) + dt.timedelta(minutes=20))
    w.timer_event("closed", booking["id"])
    assert w.stored(booking["id"]).status == "no_show_doctor"
    assert len(w.refund_requests()) == 1
    return booking["id"], payment_id


def in_no_show_patient(w: World) -> tuple[str, str]:
    booking, payment_id = w.paid()
    w.at(starts(booking) + dt.timedelta(minutes=1))
    w.timer_event("opened", booking["id"])
    w.doctor_present(booking["id"])
    w.at(dt.datetime.fromisoformat(booking["ends_at"]) + dt.timedelta(minutes=20))
    w.timer_event("closed", booking["id"])
    assert w.stored(booking["id"]).status == "no_show_patient"
    assert w.refund_requests() == []
    return booking["id"], payment_id


def in_refunded_late(w: World) -> tuple[str, str]:
    """The hold ran out, another patient took the time, the payment came anyway: refunded as late."""
    booking = w.hold()
    payment_id = w.start_payment(booking)
    w.hold_runs_out_and_another_takes_the_time(booking)
    w.pay(payment_id)
    assert w.stored(booking["id"]).status == "refunded"
    return booking["id"], payment_id


APPLIED: dict[str, Callable[[World], tuple[str, str]]] = {
    "paid": in_paid,
    "in_progress": in_progress,
    "completed": in_completed,
    "cancelled": in_cancelled_late,
    "refunded": in_refunded_early,
    "refunded_by_staff": in_refunded_by_staff,
    "refunded_late_payment": in_refunded_late,
    "no_show_doctor": in_no_show_doctor,
    "no_show_patient": in_no_show_patient,
}


@pytest.mark.parametrize("status", list(APPLIED))
def test_a_redelivered_payment_succeeded_changes_nothing_in_any_later_status(world: World, status: str) -> None:
    """The attack: YooKassa (or anyone able to make it) sends the booking's own payment.succeeded again."""
    booking_id, payment_id = APPLIED[status](world)
    before = world.effects(booking_id)
    timers_before = len(world.timer_starts)
    for _ in range(3):
        code, answer = world.redeliver(payment_id)
        assert code == 200, answer
        assert answer["result"] in ("already_paid", "already_applied", "already_refunded"), answer
    assert world.effects(booking_id) == before  # no refund asked for, status and email as they were
    expected_status = "refunded" if status.startswith("refunded") else status
    assert world.stored(booking_id).status == expected_status
    # The timer is re-started (harmlessly: it exists) only for a paid booking whose call is still ahead.
    assert len(world.timer_starts) - timers_before == (3 if status == "paid" else 0)


# The first notification was missed (the app was down): the redelivery does what it should have done, once.


def missed_in_held(w: World) -> tuple[str, str]:
    """YooKassa made the payment but its answer was lost: the booking is still `held`."""
    booking = w.hold()
    w.yookassa.lose_responses = 1
    assert w.patient.post(f"/bookings/{booking['id']}/payment").status_code == 503
    [payment_id] = list(w.yookassa.payments)
    w.pay(payment_id, delivered=False)
    assert w.stored(booking["id"]).status == "held"
    return booking["id"], payment_id


def missed_in_awaiting_payment(w: World) -> tuple[str, str]:
    booking = w.hold()
    payment_id = w.start_payment(booking)
    w.pay(payment_id, delivered=False)
    assert w.stored(booking["id"]).status == "awaiting_payment"
    return booking["id"], payment_id


def missed_in_expired_slot_kept(w: World) -> tuple[str, str]:
    """The hold ran out (shown `expired`) but nobody took the time: the late payment still books it."""
    booking = w.hold()
    payment_id = w.start_payment(booking)
    w.at(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31))
    w.pay(payment_id, delivered=False)
    assert w.patient.get(f"/bookings/{booking['id']}").json["status"] == "expired"
    return booking["id"], payment_id


def missed_in_expired_slot_lost(w: World) -> tuple[str, str]:
    booking = w.hold()
    payment_id = w.start_payment(booking)
    w.hold_runs_out_and_another_takes_the_time(booking)
    w.patient.login(PATIENT)
    w.pay(payment_id, delivered=False)
    assert w.patient.get(f"/bookings/{booking['id']}").json["status"] == "expired"
    return booking["id"], payment_id


def missed_in_cancelled_unpaid(w: World) -> tuple[str, str]:
    """The patient cancelled while the payment page was still open, then paid there."""
    booking = w.hold()
    payment_id = w.start_payment(booking)
    assert w.patient.post(f"/bookings/{booking['id']}/cancel").json["status"] == "cancelled"
    w.pay(payment_id, delivered=False)
    return booking["id"], payment_id


MISSED: dict[str, tuple[Callable[[World], tuple[str, str]], str, int]] = {
    # status before → (setup, status after, refunds)
    "held": (missed_in_held, "paid", 0),
    "awaiting_payment": (missed_in_awaiting_payment, "paid", 0),
    "expired_slot_kept": (missed_in_expired_slot_kept, "paid", 0),
    "expired_slot_lost": (missed_in_expired_slot_lost, "refunded", 1),
    "cancelled_unpaid": (missed_in_cancelled_unpaid, "refunded", 1),
}


@pytest.mark.parametrize("status", list(MISSED))
def test_a_missed_payment_succeeded_redelivered_five_times_acts_once(world: World, status: str) -> None:
    setup, after, refunds = MISSED[status]
    booking_id, payment_id = setup(world)
    assert world.effects(booking_id)["mails"] == []
    answers = [world.redeliver(payment_id) for _ in range(5)]
    assert all(code == 200 for code, _ in answers), answers
    effects = world.effects(booking_id)
    assert effects["booking"]["status"] == after
    assert effects["refund_requests"] == refunds and effects["refunds"] == refunds
    assert len(effects["mails"]) == 1, effects["mails"]  # paid (with the room link) or refunded: one email
    if after == "paid":
        assert [a["result"] for _, a in answers] == ["paid"] + ["already_paid"] * 4
        assert effects["booking"]["payment_id"] == payment_id
    else:
        assert answers[0][1]["result"] == "refunded_late_payment"
        assert {a["result"] for _, a in answers[1:]} == {"already_refunded"}
        assert world.refund_requests()[0]["payment_id"] == payment_id


# Every event type the SDK knows (and one it does not) × a sample of statuses --------------------

EVENTS = [
    "payment.waiting_for_capture",
    "payment.succeeded",
    "payment.canceled",
    "refund.succeeded",
    "deal.closed",
    "payout.succeeded",
    "payment_method.active",
    "payment.something_new",
]


def in_awaiting_payment(w: World) -> tuple[str, str]:
    booking = w.hold()
    return booking["id"], w.start_payment(booking)


SAMPLE = {
    "awaiting_payment": in_awaiting_payment,
    "paid": in_paid,
    "cancelled": in_cancelled_late,
    "refunded": in_refunded_early,
    "no_show_doctor": in_no_show_doctor,
}


@pytest.mark.parametrize("status", list(SAMPLE))
def test_every_event_type_in_a_sample_of_statuses_changes_nothing(world: World, status: str) -> None:
    booking_id, payment_id = SAMPLE[status](world)
    payment = world.yookassa.public(world.yookassa.payments[payment_id])
    refund_id = world.stored(booking_id).refund_id
    before = world.effects(booking_id)
    for event in EVENTS:
        if event.startswith("refund."):
            obj = (
                world.yookassa.refunds[refund_id]
                if refund_id
                else {
                    "id": "2f000000-0015-5000-8000-000000000000",
                    "payment_id": payment_id,
                    "status": "succeeded",
                    "amount": payment["amount"],
                    "created_at": payment["created_at"],
                }
            )
        else:
            obj = payment
        code, answer = notify(world.client, event, obj)
        if event.startswith("refund.") and not refund_id:
            assert code == 400 and answer["error"]["code"] == "payment_mismatch", (event, answer)  # no such refund
        else:
            assert code == 200, (event, answer)
        assert world.effects(booking_id) == before, event


# Out of order ---------------------------------------------------------------------------------------


def test_canceled_after_succeeded_neither_undoes_nor_refunds(world: World) -> None:
    for setup in (in_paid, in_cancelled_late):
        booking_id, payment_id = setup(world)
        before = world.effects(booking_id)
        forged = {**world.yookassa.public(world.yookassa.payments[payment_id]), "status": "canceled"}
        code, answer = notify(world.client, "payment.canceled", forged)
        assert code == 200, answer
        assert world.effects(booking_id) == before


def test_refund_succeeded_before_the_refund_is_recorded_is_asked_again_then_recorded(world: World) -> None:
    """The emulator announces a refund inside the call that creates it, before our record is written."""
    booking, _payment_id = world.paid()
    assert world.staff.post(f"/bookings/{booking['id']}/refund").json["status"] == "refunded"
    [refund_id] = list(world.yookassa.refunds)
    early = [d for d in world.yookassa.deliveries if d[0] == "refund.succeeded"]
    assert early == [("refund.succeeded", refund_id, 503)]  # not ours yet: YooKassa is asked to try again
    code, answer = notify(world.client, "refund.succeeded", world.yookassa.refunds[refund_id])
    assert code == 200 and answer["result"] == "refund_already_recorded"
    stored = world.stored(booking["id"])
    assert stored.status == "refunded" and stored.refund_id == refund_id and stored.refund_status == "succeeded"
    assert len(world.refund_requests()) == 1


def test_refund_succeeded_after_a_pending_refund_records_it_and_keeps_the_status(world: World) -> None:
    """A refund YooKassa first reported as pending (a doctor who never came): the notice completes it."""
    booking_id, _payment_id = in_no_show_doctor(world)
    stored = world.stored(booking_id)
    from chalicelib.storage.tables import Booking

    stored.update(actions=[Booking.refund_status.set("pending"), Booking.refunded_at.remove()])
    before = world.effects(booking_id)
    code, answer = notify(world.client, "refund.succeeded", world.yookassa.refunds[stored.refund_id])
    assert code == 200 and answer["result"] == "refund_recorded"
    after = world.stored(booking_id)
    assert after.refund_status == "succeeded" and after.refunded_at
    assert after.status == "no_show_doctor"  # why the money went back stays visible
    assert world.effects(booking_id)["mails"] == before["mails"]
    assert (
        notify(world.client, "refund.succeeded", world.yookassa.refunds[stored.refund_id])[1]["result"]
        == "refund_already_recorded"
    )


# Unknown, mismatched, foreign ------------------------------------------------------------------------


def test_an_unknown_payment_id_is_a_clear_400_and_changes_nothing(world: World) -> None:
    booking_id, payment_id = in_cancelled_late(world)
    before = world.effects(booking_id)
    fake = {**world.yookassa.public(world.yookassa.payments[payment_id]), "id": "2f000000-000f-5000-9000-000000000000"}
    for event in ("payment.succeeded", "payment.canceled"):
        code, answer = notify(world.client, event, fake)
        assert code == 400 and answer["error"]["code"] == "payment_mismatch", answer  # YooKassa: 404
    assert world.effects(booking_id) == before


def test_a_payment_whose_metadata_points_elsewhere_is_refused(client, world: World) -> None:
    booking_id, _payment_id = in_cancelled_late(world)
    before = world.effects(booking_id)
    # The notification's body names our booking, but YooKassa's payment belongs to another one (or none).
    other = world.yookassa.create_payment(
        {"amount": {"value": "3500.00", "currency": "RUB"}, "metadata": {"booking_id": "no-such-booking"}}
    )
    world.yookassa.decide(other["id"], "pay")
    claimed = {**world.yookassa.public(world.yookassa.payments[other["id"]]), "metadata": {"booking_id": booking_id}}
    code, answer = notify(client, "payment.succeeded", claimed)
    assert code == 400 and answer["error"]["code"] == "payment_mismatch"
    # Our booking's id in YooKassa's metadata, but another amount or currency.
    for amount in ({"value": "1.00", "currency": "RUB"}, {"value": "3500.00", "currency": "USD"}):
        odd = world.yookassa.create_payment({"amount": amount, "metadata": {"booking_id": booking_id}})
        world.yookassa.decide(odd["id"], "pay")
        assert world.yookassa.deliveries[-1] == ("payment.succeeded", odd["id"], 400)
    assert world.effects(booking_id) == before


def test_a_notification_from_an_untrusted_address_is_403(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalice.local import LambdaEventConverter

    booking_id, payment_id = in_cancelled_late(world)
    before = world.effects(booking_id)
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", "203.0.113.9")
    for event in ("payment.succeeded", "payment.canceled", "refund.succeeded"):
        code, answer = world.redeliver(payment_id, event)
        assert code == 403 and answer["error"]["code"] == "forbidden_source"
    assert world.effects(booking_id) == before


# What must stay: another payment for a booking that cannot take it is refunded -------------------------


def test_a_second_payment_for_a_paid_booking_is_refunded_once(world: World) -> None:
    booking, first = world.paid()
    second = world.yookassa.create_payment(
        {"amount": {"value": "3500.00", "currency": "RUB"}, "metadata": {"booking_id": booking["id"]}}
    )
    world.yookassa.decide(second["id"], "pay")
    [refund] = world.yookassa.refunds.values()
    assert refund["payment_id"] == second["id"] and refund["amount"]["value"] == "3500.00"
    stored = world.stored(booking["id"])
    assert stored.status == "paid" and stored.payment_id == first and stored.refund_id is None
    before = world.effects(booking["id"])
    assert len(before["mails"]) == 2  # paid, and the second payment returned
    for _ in range(3):
        code, answer = world.redeliver(second["id"])
        assert code == 200 and answer["result"] == "already_refunded"
    assert world.effects(booking["id"]) == before


def test_a_second_payment_after_a_late_cancellation_is_refunded_and_the_booking_stays_cancelled(world: World) -> None:
    booking_id, first = in_cancelled_late(world)
    second = world.yookassa.create_payment(
        {"amount": {"value": "3500.00", "currency": "RUB"}, "metadata": {"booking_id": booking_id}}
    )
    world.yookassa.decide(second["id"], "pay")
    [refund] = world.yookassa.refunds.values()
    assert refund["payment_id"] == second["id"]
    stored = world.stored(booking_id)
    assert stored.status == "cancelled" and stored.payment_id == first and stored.refund_reason == "late_cancellation"
    assert world.redeliver(first)[1]["result"] == "already_applied"
    assert len(world.refund_requests()) == 1


# Over HTTP, against the local stack (`make run`): the main attack as an outsider would see it -------------


def test_over_http_a_redelivered_payment_after_a_late_cancellation_refunds_nothing(stack) -> None:
    import time
    import urllib.error
    import urllib.request

    from local.client import HttpApi, new_patient, signed_in

    registrar = signed_in(stack.url, "registrar@clinic.local", "demo-password")
    patient = new_patient(stack.url, registrar)
    email = patient.get("/me").json["email"]
    doctor = next(d for d in HttpApi(stack.url).get("/doctors").json if d["specialty"]["id"] == "therapy")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)  # well before its room opens
    slot = next(
        s
        for s in HttpApi(stack.url).get(f"/doctors/{doctor['id']}/slots").json
        if dt.datetime.fromisoformat(s["starts_at"]) >= later
    )
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    payment = patient.post(f"/bookings/{booking['id']}/payment").json

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.build_opener(NoRedirect).open(
            urllib.request.Request(payment["confirmation_url"], data=b"action=pay&card=5555555555554477"), timeout=10
        )

    def wait_for(predicate, timeout: float = 15.0):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if value := predicate():
                return value
            time.sleep(0.1)
        return None

    assert wait_for(lambda: patient.get(f"/bookings/{booking['id']}").json["status"] == "paid")
    cancelled = patient.post(f"/bookings/{booking['id']}/cancel")
    assert cancelled.status == 200 and cancelled.json["status"] == "cancelled", cancelled.json  # late: no refund

    # YooKassa (from its address; the emulator's locally) delivers the same payment.succeeded again, five times.
    webhook = HttpApi(stack.url)
    body = {
        "type": "notification",
        "event": "payment.succeeded",
        "object": {"id": payment["payment_id"], "status": "succeeded", "paid": True},
    }
    for _ in range(5):
        answer = webhook.post("/payments/yookassa/webhook", body)
        assert answer.status == 200 and answer.json == {"result": "already_applied"}, answer.json
    shown = patient.get(f"/bookings/{booking['id']}").json
    assert shown["status"] == "cancelled" and shown.get("refund_status") in (None, "none"), shown
    time.sleep(1)
    subjects = [m["subject"] for m in HttpApi(stack.url).get("/dev/outbox").json if m["to"] == [email]]
    assert not [s for s in subjects if s.startswith("Возврат")], subjects
