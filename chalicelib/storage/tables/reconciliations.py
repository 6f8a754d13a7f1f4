"""Reconciliations with YooKassa: each run's period and what differed."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.storage.tables.base import table_meta


class Reconciliation(Model):
    """One comparison of YooKassa's payments, refunds and receipts with the bookings over a period of UTC days."""

    Meta = table_meta("reconciliations")
    ledger = UnicodeAttribute(hash_key=True)  # "yookassa": every run in one partition, the latest read by one Query
    run_id = UnicodeAttribute(range_key=True)  # ISO time of the run + "#" + id: sorted by time
    period_from = UnicodeAttribute()  # YYYY-MM-DD, the first UTC day
    period_to = UnicodeAttribute()  # YYYY-MM-DD, the last UTC day (inclusive)
    ran_at = UnicodeAttribute()
    trigger = UnicodeAttribute()  # schedule | admin
    requested_by = UnicodeAttribute(null=True)  # the admin's user id
    checked = UnicodeAttribute()  # JSON: how many payments, refunds, bookings, receipts were looked at
    differences = UnicodeAttribute()  # JSON list: [{kind, booking_id, payment_id, refund_id, ours, theirs}]
    differences_count = NumberAttribute()
