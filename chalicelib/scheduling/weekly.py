"""Weekly working hours → the slots they make. Pure: no storage, no clock."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.errors import ValidationFailed
from chalicelib.i18n import t
from chalicelib.scheduling.times import UTC

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def parse_weekly_hours(raw: Any) -> dict[str, list[list[str]]]:
    """Validate `{"1": [["09:00", "13:00"], ...], ...}` (ISO weekdays, clinic's zone)."""
    if not isinstance(raw, dict):
        raise ValidationFailed("weekly_hours", fields={"weekly_hours": t("schedule.weekly_format")})
    cleaned: dict[str, list[list[str]]] = {}
    for day, intervals in raw.items():
        if day not in {"1", "2", "3", "4", "5", "6", "7"} or not isinstance(intervals, list):
            raise ValidationFailed("weekday", fields={"weekly_hours": t("schedule.weekly_format")})
        pairs = []
        for interval in intervals:
            if not (
                isinstance(interval, list)
                and len(interval) == 2
                and all(isinstance(x, str) and _HHMM.match(x) for x in interval)
            ):
                raise ValidationFailed("interval", fields={"weekly_hours": t("schedule.interval_format")})
            if interval[0] >= interval[1]:
                raise ValidationFailed("interval", fields={"weekly_hours": t("schedule.interval_order")})
            pairs.append([interval[0], interval[1]])
        pairs.sort()
        for earlier, later in itertools.pairwise(pairs):
            if later[0] < earlier[1]:
                raise ValidationFailed("overlap", fields={"weekly_hours": t("schedule.interval_overlap")})
        if pairs:
            cleaned[day] = pairs
    return cleaned


# One doctor's week: at most 48 consultations a day on average (24 hours of half-hour ones, 12 of
# quarter-hour ones). Beyond it a schedule is a mistake, and its 8-week window would be tens of
# thousands of slots to write.
MAX_SLOTS_PER_WEEK = 7 * 48


def slots_per_week(weekly_hours: Mapping[str, Iterable[Iterable[str]]], duration_minutes: int) -> int:
    total = 0
    for intervals in weekly_hours.values():
        for start_text, end_text in intervals:
            start, end = _clock(start_text), _clock(end_text)
            minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            total += minutes // duration_minutes
    return total


def check_week_size(weekly_hours: Mapping[str, Iterable[Iterable[str]]], duration_minutes: int, field: str) -> None:
    """A week of more than MAX_SLOTS_PER_WEEK consultations is refused, naming the field to change."""
    count = slots_per_week(weekly_hours, duration_minutes)
    if count > MAX_SLOTS_PER_WEEK:
        raise ValidationFailed(
            "too_many_slots", fields={field: t("schedule.too_many", count=count, limit=MAX_SLOTS_PER_WEEK)}
        )


def parse_days_off(raw: Any) -> set[str]:
    if raw is None:
        return set()
    if not isinstance(raw, list):
        raise ValidationFailed("days_off", fields={"days_off": t("fields.date")})
    days = set()
    for value in raw:
        try:
            days.add(dt.date.fromisoformat(value).isoformat())
        except (TypeError, ValueError):
            raise ValidationFailed("days_off", fields={"days_off": t("fields.date")}) from None
    return days


def _clock(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def weekly_slots(
    weekly_hours: Mapping[str, Iterable[Iterable[str]]],
    days_off: Iterable[str],
    duration_minutes: int,
    zone: ZoneInfo,
    first_day: dt.date,
    days: int,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every slot the hours make from `first_day` for `days` days, as UTC (start, end)."""
    off = set(days_off)
    length = dt.timedelta(minutes=duration_minutes)
    slots = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        if day.isoformat() in off:
            continue
        for start_text, end_text in weekly_hours.get(str(day.isoweekday()), []):
            # A wall time inside a DST gap resolves to the first real moment after it
            # (02:00 on the spring-forward night is 03:00); an ambiguous one to its first occurrence.
            moment = dt.datetime.combine(day, _clock(start_text), zone).astimezone(UTC)
            end_utc = dt.datetime.combine(day, _clock(end_text), zone).astimezone(UTC)
            while moment + length <= end_utc:
                slots.append((moment, moment + length))
                moment += length
    return slots


def drop_in_slots(minutes: int, now: dt.datetime, hours: int = 4) -> list[tuple[dt.datetime, dt.datetime]]:
    """A slot of `minutes` starting every `minutes` from the next round time, for `hours` hours."""
    step = dt.timedelta(minutes=minutes)
    base = now.astimezone(UTC).replace(second=0, microsecond=0)
    start = base + dt.timedelta(minutes=minutes - base.minute % minutes)
    count = hours * 60 // minutes
    return [(start + i * step, start + (i + 1) * step) for i in range(count)]
