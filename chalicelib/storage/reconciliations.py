"""The reconciliation's reads of bookings (by the day money moved, by the consultations' time) and its results."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.errors import Conflict
from chalicelib.storage.access import save_if, update_if
from chalicelib.storage.batch import get_many
from chalicelib.storage.errors import store_errors
from chalicelib.storage.payments import money_day
from chalicelib.storage.tables import Booking, Doctor, Reconciliation

LEDGER = "yookassa"
BATCH = 100  # BatchGetItem's most keys


def bookings_of_money_day(day: str) -> list[Booking]:
    """Bookings whose last payment or refund was recorded on this UTC day (one Query of the index, every page)."""
    with store_errors():
        return list(Booking.by_money_day.query(day))


def bookings_by_id(booking_ids: Iterable[str]) -> dict[str, Booking]:
    """The bookings found among these ids (BatchGetItem, a hundred at a time)."""
    ids = sorted(set(booking_ids))
    found: dict[str, Booking] = {}
    for start in range(0, len(ids), BATCH):
        for item in get_many([(Booking, i, None) for i in ids[start : start + BATCH]]).values():
            if isinstance(item, Booking):
                found[item.booking_id] = item
    return found


def doctor_ids() -> list[str]:
    """Every doctor's id, active or not (the listing index: one partition)."""
    with store_errors():
        return [d.doctor_id for d in Doctor.listing.query("doctors", attributes_to_get=["doctor_id"])]


def consultations_between(doctor_id: str, from_key: str, to_key: str) -> list[Booking]:
    """One doctor's bookings starting in [from_key, to_key) (slot keys), every page."""
    with store_errors():
        return [
            b
            for b in Booking.by_doctor.query(doctor_id, Booking.starts_at.between(from_key, to_key))
            if b.starts_at < to_key
        ]


def save_run(
    run_id: str,
    *,
    period_from: str,
    period_to: str,
    ran_at: str,
    trigger: str,
    requested_by: str | None,
    checked: str,
    differences: str,
    differences_count: int,
) -> Reconciliation:
    run = Reconciliation(
        LEDGER,
        run_id,
        period_from=period_from,
        period_to=period_to,
        ran_at=ran_at,
        trigger=trigger,
        requested_by=requested_by,
        checked=checked,
        differences=differences,
        differences_count=differences_count,
    )
    save_if(run, Reconciliation.run_id.does_not_exist(), refused=Conflict("reconciliation run exists"))
    return run


def latest_runs(limit: int) -> list[Reconciliation]:
    """The latest runs, newest first."""
    with store_errors():
        return list(Reconciliation.query(LEDGER, scan_index_forward=False, limit=limit, page_size=limit))


def backfill_money_days() -> int:
    """The reconciliation's index on bookings paid or refunded before it existed (after the deploy that adds it):
    `money_day` from the last refund or payment recorded. One Scan, once per deploy; each write only where the
    attribute is still absent (a payment or refund recorded meanwhile wrote its own). How many were written."""
    written = 0
    with store_errors():
        found = list(Booking.scan(Booking.money_day.does_not_exist() & Booking.paid_at.exists()))
    for booking in found:
        at = booking.refunded_at or booking.paid_at
        if at and update_if(booking, [Booking.money_day.set(money_day(at))], Booking.money_day.does_not_exist()):
            written += 1
    return written
