"""The clinic's booking rules at their boundaries (booking/rules.py), with the service's clock moved by hand.

Pure: no HTTP, no storage, except the last test, which checks that DynamoDB's form of the hold rule (the
condition that records an expired hold) agrees with the rule itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from chalicelib import clock
from chalicelib.booking import rules
from chalicelib.booking.mails import booking_context
from chalicelib.booking.shapes import booking_view, cancellation_view, shown_status
from chalicelib.clock import now
from chalicelib.config import reload_settings
from chalicelib.mail import render
from chalicelib.scheduling.times import to_key
from chalicelib.storage.tables import Booking

UTC = dt.UTC
STARTS = dt.datetime(2026, 12, 10, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
SECOND = dt.timedelta(seconds=1)


class Clock:
    """The service's clock, standing still where a test puts it."""

    def __init__(self) -> None:
        self.at = STARTS - dt.timedelta(days=3)

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def at() -> Iterator[Clock]:
    moment = Clock()
    clock.set_clock(moment)
    yield moment
    clock.set_clock(None)


def booking(status: str = rules.PAID, hold_expires_at: str | None = None) -> Booking:
    return Booking(
        "b1",
        patient_id="p1",
        doctor_id="d1",
        starts_at=to_key(STARTS),
        ends_at=to_key(STARTS + dt.timedelta(minutes=30)),
        status=status,
        hold_expires_at=hold_expires_at,
        price=3500,
        patient_email="patient@example.org",
        patient_name="Иванова Анна",
        doctor_name="Петров Пётр",
        specialty_name="Терапевт",
        created_at=(STARTS - dt.timedelta(days=5)).isoformat(),
        updated_at=(STARTS - dt.timedelta(days=5)).isoformat(),
    )


# The refund rule: in full when cancelled at least 24 hours before the start.


def test_the_refund_deadline_is_24_hours_before_the_start_by_default() -> None:
    assert rules.refund_deadline_hours() == 24
    assert rules.refund_deadline(booking()) == STARTS - dt.timedelta(hours=24)


def test_cancelled_exactly_24_hours_before_the_start_the_refund_is_full(at: Clock) -> None:
    at.at = STARTS - dt.timedelta(hours=24)
    assert rules.full_refund_due(booking(), now())


def test_a_second_after_the_deadline_nothing_is_refunded(at: Clock) -> None:
    at.at = STARTS - dt.timedelta(hours=24) + SECOND
    assert not rules.full_refund_due(booking(), now())
    at.at = STARTS - dt.timedelta(hours=24) - SECOND
    assert rules.full_refund_due(booking(), now())


def test_the_deadline_follows_the_stage_setting(monkeypatch: pytest.MonkeyPatch, at: Clock) -> None:
    monkeypatch.setenv("REFUND_DEADLINE_HOURS", "48")
    reload_settings()
    try:
        at.at = STARTS - dt.timedelta(hours=30)
        assert rules.refund_deadline(booking()) == STARTS - dt.timedelta(hours=48)
        assert not rules.full_refund_due(booking(), now())
        assert booking_context(booking())["deadline_hours"] == 48
    finally:
        monkeypatch.delenv("REFUND_DEADLINE_HOURS")
        reload_settings()


def test_the_booking_says_what_cancelling_would_do_now(at: Clock) -> None:
    """What the browser shows, from the server: the refund, the deadline in the clinic's zone, the hours."""
    at.at = STARTS - dt.timedelta(hours=24)
    assert booking_view(booking(), now())["cancellation"] == {
        "refund": "full",
        "deadline": "2026-12-09T12:00:00+03:00",
        "deadline_hours": 24,
    }
    at.at += SECOND
    assert booking_view(booking(), now())["cancellation"]["refund"] == "none"


def test_an_unpaid_booking_shows_the_deadline_but_no_refund_and_a_finished_one_nothing(at: Clock) -> None:
    held = booking(rules.HELD, hold_expires_at=to_key(now() + dt.timedelta(minutes=10)))
    assert cancellation_view(held, rules.HELD, now()) == {
        "refund": None,
        "deadline": "2026-12-09T12:00:00+03:00",
        "deadline_hours": 24,
    }
    for status in (rules.EXPIRED, rules.CANCELLED, rules.REFUNDED, rules.IN_PROGRESS, rules.COMPLETED):
        assert cancellation_view(booking(status), status, now()) is None


def test_the_paid_and_the_late_cancellation_emails_name_the_rules_hours() -> None:
    context = {
        **booking_context(booking()),
        "deadline_hours": 36,
        "room_url": "http://127.0.0.1:8000/room/r1#token=t",
        "documents_address": None,
        "receipt": {
            "payment_id": "pay1",
            "paid_at": "1 декабря 2026 г., 12:00",
            "item": "Консультация",
            "amount": "3500.00",
            "vat_code": 1,
            "description": "Консультация",
            "seller": "Клиника",
            "email": "patient@example.org",
        },
    }
    for name in ("booking_paid", "booking_cancelled"):
        _, text, html = render(name, context)
        assert "за 36 часов" in text and "за 36 часов" in html, name
        assert "24" not in text, name


# Holds: 15 minutes by default; the last second still holds.


def test_a_hold_runs_to_its_expiry_second_inclusive(at: Clock) -> None:
    taken = now()
    expires = rules.hold_expiry(taken)
    assert expires == to_key(taken + dt.timedelta(minutes=15))
    at.at = taken + dt.timedelta(minutes=15)
    for status in rules.UNPAID:
        assert not rules.hold_has_expired(status, expires, to_key(now()))
        assert shown_status(booking(status, expires), now()) == status
    at.at += SECOND
    for status in rules.UNPAID:
        assert rules.hold_has_expired(status, expires, to_key(now()))
        assert shown_status(booking(status, expires), now()) == rules.EXPIRED


def test_only_an_unpaid_hold_expires(at: Clock) -> None:
    long_ago = to_key(now() - dt.timedelta(days=1))
    for status in (rules.PAID, rules.CANCELLED, rules.EXPIRED, rules.COMPLETED):
        assert not rules.hold_has_expired(status, long_ago, to_key(now()))
    assert not rules.hold_has_expired(rules.HELD, None, to_key(now()))
    assert rules.hold_ran_out(long_ago, to_key(now()))
    assert not rules.hold_ran_out(None, to_key(now()))


def test_starting_a_payment_keeps_the_time_for_the_payment_window_and_never_shortens_it(at: Clock) -> None:
    soon = to_key(now() + dt.timedelta(minutes=5))
    assert rules.hold_expiry_while_paying(soon, now()) == to_key(now() + dt.timedelta(minutes=30))
    later = to_key(now() + dt.timedelta(minutes=45))
    assert rules.hold_expiry_while_paying(later, now()) == later
    assert rules.hold_expiry_while_paying(None, now()) == to_key(now() + dt.timedelta(minutes=30))


def test_a_patient_holds_at_most_two_times_at_once() -> None:
    assert rules.hold_limit() == 2
    assert rules.free_hold_place([]) == 0
    assert rules.free_hold_place([0]) == 1
    assert rules.free_hold_place([1]) == 0
    assert rules.free_hold_place([0, 1]) is None
    assert rules.free_hold_place([1, 0, 1]) is None


def test_a_place_whose_hold_ran_out_is_free_again(at: Clock) -> None:
    """As holds.hold counts them: a place is taken while its hold has not run out (its last second included)."""
    expiry = {0: to_key(now()), 1: to_key(now() - SECOND)}
    running = [n for n, expires in expiry.items() if not rules.hold_ran_out(expires, to_key(now()))]
    assert running == [0]
    assert rules.free_hold_place(running) == 1


def test_dynamodb_records_an_expired_hold_exactly_when_the_rule_says_so(aws: None) -> None:
    """storage's condition (held or awaiting payment, and the last second before now) is the rule's."""
    from chalicelib.storage import bookings as store

    now_key = to_key(STARTS - dt.timedelta(days=1))
    moments = {
        "before": to_key(STARTS - dt.timedelta(days=1) - SECOND),
        "at": now_key,
        "after": to_key(STARTS - dt.timedelta(days=1) + SECOND),
    }
    for status in (rules.HELD, rules.AWAITING_PAYMENT, rules.PAID, rules.CANCELLED):
        for name, expires in moments.items():
            item = booking(status, expires)
            item.booking_id = f"{status}-{name}"
            item.save()
            store.mark_expired(item, now_key)
            stored = store.get_booking(item.booking_id)
            assert stored is not None
            expected = rules.EXPIRED if rules.hold_has_expired(status, expires, now_key) else status
            assert (status, name, stored.status) == (status, name, expected)
    assert store.get_booking("awaiting_payment-before").status == rules.EXPIRED  # type: ignore[union-attr]
