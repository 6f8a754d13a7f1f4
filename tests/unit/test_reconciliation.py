"""The reconciliation's comparison on both sides as given: each difference once, the edges, no false alarms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.payments.reconciliation import OurBooking, Period, compare, is_closing_receipt, what_to_do

DAY = Period(dt.date(2026, 12, 1), dt.date(2026, 12, 1))


def payment(pid: str, booking_id: str | None, value: str = "3500.00", at: str = "2026-12-01T10:00:00.000Z", **kw: Any):
    return {
        "id": pid,
        "status": "succeeded",
        "amount": {"value": value, "currency": "RUB"},
        "created_at": at,
        "metadata": {"booking_id": booking_id} if booking_id else {},
        **kw,
    }


def booking(bid: str, pid: str | None, **kw: Any) -> OurBooking:
    values = {"price": 3500, "paid": True, "refund_id": None, "in_period": True, "rendered": False, **kw}
    return OurBooking(booking_id=bid, payment_id=pid, **values)


def kinds(differences) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return [(d.kind, d.booking_id) for d in differences]


def test_matching_sides_make_no_difference() -> None:
    payments = {"p1": payment("p1", "b1"), "p2": payment("p2", "b2", refunded_amount={"value": "3500.00"})}
    refunds = {"r2": {"id": "r2", "payment_id": "p2", "status": "succeeded", "created_at": "2026-12-01T11:00:00Z"}}
    ours = [booking("b1", "p1"), booking("b2", "p2", refund_id="r2")]
    assert compare(DAY, ours, payments, refunds, {}) == []


def test_each_kind_once_in_the_reports_order() -> None:
    payments = {
        "stray": payment("stray", None, "100.00"),
        "p2": payment("p2", "b2", "3000.00"),
        "p3": payment("p3", "b3"),
        "p5": payment("p5", "b5"),
        "lost": None,  # fetched by id: YooKassa does not know it
    }
    refunds = {
        "r3": {
            "id": "r3",
            "payment_id": "p3",
            "status": "succeeded",
            "amount": {"value": "3500.00", "currency": "RUB"},
            "created_at": "2026-12-01T12:00:00.000Z",
        },
        "r5": None,
    }
    ours = [
        booking("b1", "lost"),
        booking("b2", "p2"),
        booking("b3", "p3"),
        booking("b5", "p5", refund_id="r5"),
        booking("b6", "p6", in_period=False, rendered=True),
    ]
    receipts = {"p6": [{"type": "payment", "status": "succeeded", "settlements": [{"type": "cashless"}]}]}
    differences = compare(
        DAY, ours, {**payments, "p6": payment("p6", "b6", at="2026-11-20T10:00:00Z")}, refunds, receipts
    )
    assert kinds(differences) == [
        ("paid_there_not_here", None),
        ("paid_here_not_there", "b1"),
        ("amount_differs", "b2"),
        ("refund_there_not_here", "b3"),
        ("refund_here_not_there", "b5"),
        ("closing_receipt_missing", "b6"),
    ]
    amount = differences[2]
    assert (amount.ours, amount.theirs) == ("3500.00 RUB", "3000.00 RUB")
    assert what_to_do(amount.as_dict()).startswith("Суммы различаются: у нас за запись b2 — 3500.00 RUB")
    assert "p2" in what_to_do(amount.as_dict(), "en")


def test_the_period_edges_and_the_overlap() -> None:
    before = payment("early", "b1", at="2026-11-30T23:30:00.000Z")  # listed for the overlap, paid after midnight
    after = payment("late", None, at="2026-12-02T00:00:00.000Z")  # the next day's
    ours = [booking("b1", "early")]
    assert compare(DAY, ours, {"early": before, "late": after}, {}, {}) == []
    # The payment before the period is still checked for the booking paid in it: its amount.
    cheaper = payment("early", "b1", "10.00", at="2026-11-30T23:30:00.000Z")
    assert kinds(compare(DAY, ours, {"early": cheaper}, {}, {})) == [("amount_differs", "b1")]


def test_no_false_alarms() -> None:
    # A late payment refunded in full bought nothing and kept nothing; its refund is not the booking's.
    late = payment("late", "b1", refunded_amount={"value": "3500.00", "currency": "RUB"})
    refund = {"id": "r", "payment_id": "late", "status": "succeeded", "created_at": "2026-12-01T10:05:00Z"}
    ours = [booking("b1", "own", in_period=False)]
    assert compare(DAY, ours, {"late": late}, {"r": refund}, {}) == []
    # Pending and cancelled payments are not money; a pending refund is on its way.
    pending = payment("x", "b9", status="pending")
    assert (
        compare(
            DAY,
            [booking("b2", "p2", refund_id="r2")],
            {"x": pending, "p2": payment("p2", "b2")},
            {"r2": {"id": "r2", "payment_id": "p2", "status": "pending"}},
            {},
        )
        == []
    )
    # A booking our side holds only for its receipt (money moved earlier) is not re-checked for payment.
    assert compare(DAY, [booking("b3", "gone", in_period=False)], {}, {}, {}) == []


def test_a_closing_receipt_is_settled_by_the_prepayment() -> None:
    closing = {"type": "payment", "status": "succeeded", "settlements": [{"type": "prepayment"}]}
    assert is_closing_receipt(closing)
    assert not is_closing_receipt({**closing, "status": "canceled"})
    assert not is_closing_receipt({**closing, "type": "refund"})
    assert not is_closing_receipt({**closing, "settlements": [{"type": "cashless"}]})
