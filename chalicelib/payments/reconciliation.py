"""Reconciliation with YooKassa: what its records and ours say about the money of a period, and where they differ.

Pure: `compare` takes both sides as gathered (`chalicelib.payments.reconciliation_run` reads them) and answers
the differences, each with what the clinic's staff should do (`what_to_do`, from the locale).

The period is whole UTC days [first, last]. YooKassa's side: its payments and refunds created in the period
(payments from a little earlier too, to match ours), and any other payment or refund our records name, fetched
by id (a payment created before the period and paid in it). Our side: the bookings whose money moved in the
period (their last payment or refund recorded then), the bookings YooKassa's payments name, and the
consultations rendered (the conclusion signed) whose closing receipt is due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.i18n import t

# The kinds of differences, in the order a report lists them.
PAID_THERE_NOT_HERE = "paid_there_not_here"
PAID_HERE_NOT_THERE = "paid_here_not_there"
AMOUNT_DIFFERS = "amount_differs"
REFUND_THERE_NOT_HERE = "refund_there_not_here"
REFUND_HERE_NOT_THERE = "refund_here_not_there"
CLOSING_RECEIPT_MISSING = "closing_receipt_missing"
KINDS = (
    PAID_THERE_NOT_HERE,
    PAID_HERE_NOT_THERE,
    AMOUNT_DIFFERS,
    REFUND_THERE_NOT_HERE,
    REFUND_HERE_NOT_THERE,
    CLOSING_RECEIPT_MISSING,
)

# YooKassa's payments are listed from this long before the period: one created just before midnight and paid
# after it is then matched from the list instead of being fetched alone.
OVERLAP = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Period:
    """Whole UTC days, `first` to `last` inclusive."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), dt.UTC)

    def days(self) -> list[str]:
        count = (self.last - self.first).days + 1
        return [(self.first + dt.timedelta(days=n)).isoformat() for n in range(count)]

    def holds(self, created_at: str | None) -> bool:
        """A YooKassa time (`2026-12-02T10:00:00.000Z`) within the period."""
        if not created_at:
            return False
        at = dt.datetime.fromisoformat(created_at.replace("Z", "+00:00"))
        return self.start <= at < self.end


@dataclass(frozen=True)
class OurBooking:
    """A booking as the reconciliation needs it."""

    booking_id: str
    price: int  # roubles
    payment_id: str | None
    paid: bool  # the booking took this payment (paid_at recorded)
    refund_id: str | None
    in_period: bool  # its money moved in the period (by our records)
    rendered: bool  # the consultation is rendered: the conclusion signed


@dataclass(frozen=True)
class Difference:
    kind: str
    booking_id: str | None = None
    payment_id: str | None = None
    refund_id: str | None = None
    ours: str | None = None  # what our records say (an amount, a status)
    theirs: str | None = None  # what YooKassa says

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "booking_id": self.booking_id,
            "payment_id": self.payment_id,
            "refund_id": self.refund_id,
            "ours": self.ours,
            "theirs": self.theirs,
        }


def what_to_do(difference: Mapping[str, Any], lang: str = "ru") -> str:
    """The locale's «что делать» for one difference, with its booking, payment, refund and amounts."""
    params = {k: difference.get(k) or "—" for k in ("booking_id", "payment_id", "refund_id", "ours", "theirs")}
    return t(f"reconciliation.what_to_do.{difference['kind']}", lang, **params)


def _amount(payment: Mapping[str, Any]) -> Decimal | None:
    amount = payment.get("amount") or {}
    try:
        return Decimal(str(amount.get("value"))) if amount.get("currency") == "RUB" else None
    except InvalidOperation:
        return None


def _shown(payment: Mapping[str, Any]) -> str:
    amount = payment.get("amount") or {}
    return f"{amount.get('value')} {amount.get('currency')}"


def _ours(booking: OurBooking) -> str:
    return f"{booking.price}.00 RUB"


def _refunded_in_full(payment: Mapping[str, Any]) -> bool:
    refunded = (payment.get("refunded_amount") or {}).get("value")
    total = _amount(payment)
    return refunded is not None and total is not None and Decimal(str(refunded)) >= total


def _booking_of(payment: Mapping[str, Any]) -> str | None:
    booking_id = (payment.get("metadata") or {}).get("booking_id")
    return str(booking_id) if booking_id else None


def is_closing_receipt(receipt: Mapping[str, Any]) -> bool:
    """YooKassa's closing receipt of a prepaid service: a payment receipt settled by the prepayment, not cancelled."""
    settled = any((s or {}).get("type") == "prepayment" for s in receipt.get("settlements") or [])
    return receipt.get("type") == "payment" and settled and receipt.get("status") != "canceled"


def compare(
    period: Period,
    bookings: Iterable[OurBooking],
    payments: Mapping[str, Mapping[str, Any] | None],
    refunds: Mapping[str, Mapping[str, Any] | None],
    receipts: Mapping[str, list[Mapping[str, Any]]],
) -> list[Difference]:
    """Every difference between YooKassa's records and ours for the period, once each.

    `payments` / `refunds`: YooKassa's objects by id as listed or fetched (None: YooKassa does not know it);
    `receipts`: YooKassa's receipts of each payment of a rendered consultation.
    """
    ours = {b.booking_id: b for b in bookings}
    found: dict[tuple[str, str], Difference] = {}

    def add(difference: Difference) -> None:
        key = (difference.kind, difference.refund_id or difference.payment_id or difference.booking_id or "")
        found.setdefault(key, difference)

    def check_amount(booking: OurBooking, payment: Mapping[str, Any]) -> None:
        if _amount(payment) != Decimal(booking.price):
            add(
                Difference(
                    AMOUNT_DIFFERS, booking.booking_id, str(payment["id"]), None, _ours(booking), _shown(payment)
                )
            )

    # YooKassa's succeeded payments of the period: each bought a booking, or went back in full.
    for payment_id, payment in payments.items():
        if payment is None or payment.get("status") != "succeeded" or not period.holds(payment.get("created_at")):
            continue
        booking_id = _booking_of(payment)
        booking = ours.get(booking_id) if booking_id else None
        if booking is not None and booking.paid and booking.payment_id == payment_id:
            check_amount(booking, payment)
        elif not _refunded_in_full(payment):
            add(Difference(PAID_THERE_NOT_HERE, booking_id, payment_id, None, None, _shown(payment)))

    # Our bookings whose money moved in the period: their payment, and their refund, are YooKassa's too.
    for booking in ours.values():
        if not booking.in_period or not booking.paid or not booking.payment_id:
            continue
        payment = payments.get(booking.payment_id)
        if payment is None or payment.get("status") != "succeeded":
            theirs = None if payment is None else str(payment.get("status"))
            add(Difference(PAID_HERE_NOT_THERE, booking.booking_id, booking.payment_id, None, _ours(booking), theirs))
        else:
            check_amount(booking, payment)
        if booking.refund_id:
            refund = refunds.get(booking.refund_id)
            if refund is None or refund.get("status") == "canceled":
                theirs = None if refund is None else str(refund.get("status"))
                add(
                    Difference(
                        REFUND_HERE_NOT_THERE, booking.booking_id, booking.payment_id, booking.refund_id, None, theirs
                    )
                )

    # YooKassa's refunds of the period: a refund of a payment a booking took is recorded on that booking.
    for refund_id, refund in refunds.items():
        if refund is None or refund.get("status") != "succeeded" or not period.holds(refund.get("created_at")):
            continue
        payment_id = str(refund.get("payment_id") or "")
        payment = payments.get(payment_id)
        booking_id = _booking_of(payment) if payment else None
        booking = ours.get(booking_id) if booking_id else None
        took_it = booking is not None and booking.paid and booking.payment_id == payment_id
        if booking is not None and took_it and booking.refund_id != refund_id:
            add(Difference(REFUND_THERE_NOT_HERE, booking_id, payment_id, refund_id, None, _shown(refund)))

    # Rendered consultations: the closing receipt (settled by the prepayment) is at YooKassa.
    for booking in ours.values():
        if not (booking.rendered and booking.paid and booking.payment_id):
            continue
        if not any(is_closing_receipt(r) for r in receipts.get(booking.payment_id, [])):
            add(Difference(CLOSING_RECEIPT_MISSING, booking.booking_id, booking.payment_id, None, _ours(booking)))

    order = {kind: n for n, kind in enumerate(KINDS)}
    return sorted(found.values(), key=lambda d: (order[d.kind], d.booking_id or "", d.payment_id or ""))
