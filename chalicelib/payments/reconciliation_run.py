"""One reconciliation run: YooKassa's side (its lists, paged with cursors, and the objects our records name),
our side (bookings by the day money moved, rendered consultations), the comparison, the stored result, the email.

Daily by schedule for the previous UTC day; an admin may run any period of up to `MAX_DAYS` days.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from chalicelib import outbox
from chalicelib.booking.rules import consultation_rendered
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.errors import DomainError, ValidationFailed
from chalicelib.i18n import t
from chalicelib.logs import log_event
from chalicelib.payments import gateway
from chalicelib.payments.reconciliation import OVERLAP, OurBooking, Period, compare, what_to_do
from chalicelib.scheduling.times import to_key
from chalicelib.storage import reconciliations as store
from chalicelib.storage.records import Booking, Reconciliation
from chalicelib.timefmt import format_date, format_datetime

PAGE_LIMIT = 100  # YooKassa's largest page
MAX_PAGES = 1000  # a list longer than 100,000 objects a period is not this clinic's
MAX_DAYS = 31
# Consultations started this long before the period are still checked for their closing receipt: a conclusion may
# be signed days after the call.
RENDER_LOOKBACK = dt.timedelta(days=7)
STORED_DIFFERENCES = 1000  # an item stays far below DynamoDB's 400 KB
LATEST = 10

Objects = dict[str, dict[str, Any] | None]


class ReconciliationUnavailable(DomainError):
    """YooKassa did not answer (or refused a list): nothing was compared, nothing stored."""

    code = "reconciliation_unavailable"
    message_key = "reconciliation.errors.unavailable"


def period_of(first: str | None, last: str | None) -> Period:
    """The admin's period: both dates, in order, not in the future, at most MAX_DAYS days."""
    fields: dict[str, str] = {}
    days: dict[str, dt.date] = {}
    for name, value in (("from", first), ("to", last)):
        try:
            days[name] = dt.date.fromisoformat(value or "")
        except ValueError:
            fields[name] = t("fields.required") if not value else t("fields.date")
    if not fields:
        today = now().astimezone(dt.UTC).date()
        if days["to"] < days["from"]:
            fields["to"] = t("reconciliation.errors.order")
        elif days["to"] > today:
            fields["to"] = t("reconciliation.errors.future")
        elif (days["to"] - days["from"]).days + 1 > MAX_DAYS:
            fields["to"] = t("reconciliation.errors.too_long", days=MAX_DAYS)
    if fields:
        raise ValidationFailed("reconciliation period", fields=fields)
    return Period(days["from"], days["to"])


def previous_day(moment: dt.datetime) -> Period:
    day = moment.astimezone(dt.UTC).date() - dt.timedelta(days=1)
    return Period(day, day)


def _yookassa_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def listed(what: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object of one of YooKassa's lists, page after page by its `next_cursor`."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = gateway.list_page(what, {**params, "limit": PAGE_LIMIT, **({"cursor": cursor} if cursor else {})})
        found += [dict(item) for item in page.get("items") or []]
        cursor = page.get("next_cursor")
        if not cursor:
            return found
    raise gateway.PaymentServiceUnavailable(f"list_{what}: more than {MAX_PAGES} pages")


def _fetch(find: Callable[[str], dict[str, Any]], object_id: str) -> dict[str, Any] | None:
    """One object by id; None when YooKassa does not know it."""
    try:
        return find(object_id)
    except gateway.UnknownAtYooKassa:
        return None


def _ours(booking: Booking, money_days: set[str]) -> OurBooking:
    return OurBooking(
        booking_id=booking.booking_id,
        price=int(booking.price),
        payment_id=booking.payment_id,
        paid=booking.paid_at is not None,
        refund_id=booking.refund_id,
        in_period=booking.money_day in money_days,
        rendered=consultation_rendered(booking),
    )


def gather(period: Period) -> tuple[list[OurBooking], Objects, Objects, dict[str, list[Any]]]:
    """Both sides of the period, as `compare` takes them."""
    window = {"created_at.lt": _yookassa_time(period.end)}
    payments: Objects = {
        p["id"]: p for p in listed("payments", {**window, "created_at.gte": _yookassa_time(period.start - OVERLAP)})
    }
    refunds: Objects = {
        r["id"]: r for r in listed("refunds", {**window, "created_at.gte": _yookassa_time(period.start)})
    }
    bookings: dict[str, Booking] = {}
    days = set(period.days())
    for day in sorted(days):
        bookings.update({b.booking_id: b for b in store.bookings_of_money_day(day)})
    for refund in list(refunds.values()):
        payment_id = str((refund or {}).get("payment_id") or "")
        if payment_id and payment_id not in payments:
            payments[payment_id] = _fetch(gateway.find_payment, payment_id)
    # The bookings that YooKassa's succeeded payments name (a pending or cancelled payment is no money).
    named = {
        str(p["metadata"]["booking_id"])
        for p in payments.values()
        if p and p.get("status") == "succeeded" and (p.get("metadata") or {}).get("booking_id")
    }
    bookings.update(store.bookings_by_id(named - set(bookings)))
    start, end = to_key(period.start - RENDER_LOOKBACK), to_key(period.end)
    for doctor_id in store.doctor_ids():
        bookings.update(
            {b.booking_id: b for b in store.consultations_between(doctor_id, start, end) if consultation_rendered(b)}
        )
    for booking in bookings.values():
        if booking.money_day in days and booking.paid_at is not None and booking.payment_id:
            if booking.payment_id not in payments:
                payments[booking.payment_id] = _fetch(gateway.find_payment, booking.payment_id)
            if booking.refund_id and booking.refund_id not in refunds:
                refunds[booking.refund_id] = _fetch(gateway.find_refund, booking.refund_id)
    receipts = {
        str(b.payment_id): listed("receipts", {"payment_id": b.payment_id})
        for b in bookings.values()
        if consultation_rendered(b) and b.paid_at is not None and b.payment_id
    }
    return [_ours(b, days) for b in bookings.values()], payments, refunds, receipts


def run(period: Period, trigger: str, requested_by: str | None = None) -> dict[str, Any]:
    """Compare, store, email; the stored result as the admin page shows it."""
    ours, payments, refunds, receipts = gather(period)
    differences = [d.as_dict() for d in compare(period, ours, payments, refunds, receipts)]
    checked = {
        "payments": sum(1 for p in payments.values() if p is not None and period.holds(p.get("created_at"))),
        "refunds": sum(1 for r in refunds.values() if r is not None and period.holds(r.get("created_at"))),
        "bookings": sum(1 for b in ours if b.in_period),
        "rendered": len(receipts),
    }
    ran_at = now().astimezone(dt.UTC)
    saved = store.save_run(
        f"{ran_at.isoformat()}#{uuid.uuid4().hex[:8]}",
        period_from=period.first.isoformat(),
        period_to=period.last.isoformat(),
        ran_at=ran_at.isoformat(),
        trigger=trigger,
        requested_by=requested_by,
        checked=json.dumps(checked),
        differences=json.dumps(differences[:STORED_DIFFERENCES], ensure_ascii=False),
        differences_count=len(differences),
    )
    result = shaped(saved)
    log_event(
        "reconciliation_done",
        period_from=result["period_from"],
        period_to=result["period_to"],
        trigger=trigger,
        differences=len(differences),
    )
    _mail(result)
    return result


def shaped(run: Reconciliation) -> dict[str, Any]:
    differences = [{**d, "what_to_do": what_to_do(d)} for d in json.loads(run.differences)]
    return {
        "id": run.run_id,
        "period_from": run.period_from,
        "period_to": run.period_to,
        "ran_at": run.ran_at,
        "trigger": run.trigger,
        "checked": json.loads(run.checked),
        "differences_count": int(run.differences_count),
        "differences": differences,
    }


def _mail(result: dict[str, Any]) -> None:
    """Each configured address gets the result: every difference with what to do, or that there are none."""
    context = {
        **result,
        "ran_text": format_datetime(dt.datetime.fromisoformat(result["ran_at"])),
        "first_text": format_date(dt.date.fromisoformat(result["period_from"])),
        "last_text": format_date(dt.date.fromisoformat(result["period_to"])),
        "page_url": f"{settings().public_base_url}/admin/reconciliation",
        "kind_names": {d["kind"]: t(f"reconciliation.kinds.{d['kind']}") for d in result["differences"]},
    }
    for address in settings().reconciliation_mail_to:
        outbox.send_now(outbox.compose(address, "reconciliation", context))


def scheduled() -> int:
    """The daily run: the previous UTC day. The number of differences."""
    return int(run(previous_day(now()), "schedule")["differences_count"])


def on_demand(first: str | None, last: str | None, requested_by: str) -> dict[str, Any]:
    """The admin's run; YooKassa not answering is said as such (the daily run fails instead, and is retried)."""
    period = period_of(first, last)
    try:
        return run(period, "admin", requested_by)
    except gateway.PaymentServiceUnavailable:
        raise ReconciliationUnavailable() from None


def latest(limit: int = LATEST) -> list[dict[str, Any]]:
    return [shaped(r) for r in store.latest_runs(limit)]
