"""Slot times: stored in UTC as sortable strings, shown with the clinic's offset."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC


def to_key(moment: dt.datetime) -> str:
    """UTC, second precision, sortable: 2026-11-26T09:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_key(key: str) -> dt.datetime:
    return dt.datetime.strptime(key, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def in_zone(key: str, zone: ZoneInfo) -> str:
    """ISO 8601 with the zone's offset: 2026-11-26T12:00:00+03:00."""
    return from_key(key).astimezone(zone).isoformat()


def slot_id(doctor_id: str, starts_key: str) -> str:
    return f"{doctor_id}_{from_key(starts_key).strftime('%Y%m%dT%H%M%SZ')}"


def parse_slot_id(value: str) -> tuple[str, str] | None:
    doctor_id, _, stamp = value.partition("_")
    if not doctor_id or not stamp or len(value) > 100:
        return None
    try:
        moment = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return doctor_id, to_key(moment)
