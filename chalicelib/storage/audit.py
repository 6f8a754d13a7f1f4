"""The audit log: appended to, and read a day's page at a time."""

from __future__ import annotations

from typing import Any

from chalicelib.storage.errors import store_errors
from chalicelib.storage.tables import AuditEntry


def append(day: str, at_id: str, **values: Any) -> None:
    with store_errors():
        AuditEntry(day, at_id, **values).save()


def day_page(day: str, limit: int, after_at_id: str | None) -> list[AuditEntry]:
    """Up to `limit` entries of one day, newest first, starting after `after_at_id`."""
    start = {"day": {"S": day}, "at_id": {"S": after_at_id}} if after_at_id else None
    with store_errors():
        return list(
            AuditEntry.query(day, scan_index_forward=False, limit=limit, page_size=limit, last_evaluated_key=start)
        )


def of_patient(patient_id: str, limit: int = 10_000) -> list[AuditEntry]:
    """Every entry about one patient's data, oldest first (the index `by_patient`)."""
    with store_errors():
        return list(AuditEntry.by_patient.query(patient_id, limit=limit))
