"""The clinic's booking rules, each in one place."""

from __future__ import annotations

import datetime as dt

from chalicelib.config import settings

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


def hold_duration() -> dt.timedelta:
    """How long a confirmed time is kept for the patient before payment."""
    return dt.timedelta(minutes=settings().hold_minutes)


def hold_limit() -> int:
    """How many times one patient may hold at once."""
    return settings().hold_limit


def hold_has_expired(status: str, hold_expires_at: str | None, now_key: str) -> bool:
    return status in UNPAID and hold_expires_at is not None and hold_expires_at < now_key
