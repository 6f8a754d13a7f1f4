"""The clinic's booking rules, each in one place: statuses, holds, the refund rule.

Pure functions of their arguments (the caller passes the moment, from `chalicelib.clock.now`) and of the
stage's settings; no storage, no HTTP. DynamoDB's form of the hold rule, for conditional writes, is
`storage.slots.hold_has_expired`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from chalicelib.config import settings
from chalicelib.scheduling.times import from_key, to_key

# Statuses, in the clinic's words.
HELD = "held"
AWAITING_PAYMENT = "awaiting_payment"
PAID = "paid"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
EXPIRED = "expired"
CANCELLED = "cancelled"
REFUNDED = "refunded"
NO_SHOW_PATIENT = "no_show_patient"
NO_SHOW_DOCTOR = "no_show_doctor"

UNPAID = (HELD, AWAITING_PAYMENT)


class Consultation(Protocol):
    """A booking, as far as the rules need it: when the consultation starts (a key)."""

    starts_at: str


# Holds: a confirmed time is kept for the patient for a while before payment, and only so many at once.


def hold_duration() -> dt.timedelta:
    """How long a confirmed time is kept for the patient before payment."""
    return dt.timedelta(minutes=settings().hold_minutes)


def hold_expiry(held_at: dt.datetime) -> str:
    """The last second (a key) of a hold taken at `held_at`."""
    return to_key(held_at + hold_duration())


def hold_expiry_while_paying(hold_expires_at: str | None, current: dt.datetime) -> str:
    """Starting a payment keeps the time for the payment window at least (never shortens the hold)."""
    window = dt.timedelta(minutes=settings().payment_window_minutes)
    return max(hold_expires_at or to_key(current), to_key(current + window))


def hold_ran_out(expires_at: str | None, now_key: str) -> bool:
    """A hold still holds in its last second (`expires_at`) and has run out from the next one."""
    return expires_at is not None and expires_at < now_key


def hold_has_expired(status: str, hold_expires_at: str | None, now_key: str) -> bool:
    """An unpaid booking whose hold ran out is expired, whatever was last written."""
    return status in UNPAID and hold_ran_out(hold_expires_at, now_key)


def hold_limit() -> int:
    """How many times one patient may hold at once."""
    return settings().hold_limit


def free_hold_place(taken: Iterable[int]) -> int | None:
    """The patient's first place for a hold (0 … hold_limit − 1) not taken by a running hold; None at the limit."""
    in_use = set(taken)
    return next((n for n in range(hold_limit()) if n not in in_use), None)


# The refund rule: a paid consultation cancelled by its patient at least N hours (24 by default) before its start
# is refunded in full; later, not at all. Staff refund in full at any time.


def refund_deadline_hours() -> int:
    return settings().refund_deadline_hours


def refund_deadline(booking: Consultation) -> dt.datetime:
    """The last moment at which the patient's cancellation is still refunded in full."""
    return from_key(booking.starts_at) - dt.timedelta(hours=refund_deadline_hours())


def full_refund_due(booking: Consultation, at: dt.datetime) -> bool:
    """Cancelled by the patient at `at`: the whole price back (exactly at the deadline too), or nothing."""
    return at <= refund_deadline(booking)


# The service is rendered (54-FZ: the closing receipt is due) when the doctor's conclusion is signed, which is what
# completes a booking (chalicelib/conclusions/service.py sign_and_send; the closing receipt's job is written in the
# same transaction). The reconciliation asks this of a booking too.

RENDERED_WHEN = "conclusion_signed"
RENDERED = COMPLETED  # the booking's status once its conclusion is signed


class Status(Protocol):
    status: str


def consultation_rendered(booking: Status) -> bool:
    """The consultation has been rendered: its conclusion is signed (the booking is completed)."""
    return booking.status == RENDERED
