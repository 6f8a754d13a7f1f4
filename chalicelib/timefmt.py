"""Dates and times as the clinic writes them: in its zone, in Russian, exact."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from chalicelib.config import settings
from chalicelib.i18n import catalog, t


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings().clinic_timezone)


def zone_label(zone: ZoneInfo, moment: dt.datetime) -> str:
    named = catalog("ru").get("time", {}).get("zones", {}).get(zone.key)
    if isinstance(named, str) and named:
        return named
    offset = moment.astimezone(zone).strftime("%z")
    return t("time.utc_offset", offset=f"{offset[:3]}:{offset[3:]}", zone=zone.key)


def format_datetime(moment: dt.datetime, zone: ZoneInfo | None = None) -> str:
    """«29 ноября 2026 г., 14:30 (по московскому времени)»."""
    zone = zone or clinic_zone()
    local = moment.astimezone(zone)
    month = catalog("ru")["time"]["months_genitive"][local.month - 1]
    return t(
        "time.datetime",
        day=local.day,
        month=month,
        year=local.year,
        time=local.strftime("%H:%M"),
        zone=zone_label(zone, moment),
    )


def format_date(day: dt.date) -> str:
    month = catalog("ru")["time"]["months_genitive"][day.month - 1]
    return t("time.date", day=day.day, month=month, year=day.year)
