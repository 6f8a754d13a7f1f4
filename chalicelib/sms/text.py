"""The reminder's SMS: short, in Russian, one part when it can be.

A text of Cyrillic letters travels in UCS-2: 70 characters in one part, 67 in each part of a longer one (the rest
carries the joining header); a text of GSM-7 characters only: 160 and 153. The product's choice: the reminder names
the day and time in the clinic's zone and the cabinet's short link («Вход: …»), the patient's own time too when it
differs and the whole still fits one part; `parts` says what a text takes (logged when it is more than one).
Never the room's link (it carries the token), the doctor or the specialty: an SMS is read on a locked screen.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from chalicelib.config import settings
from chalicelib.i18n import catalog, t
from chalicelib.scheduling.times import from_key
from chalicelib.storage.records import Booking
from chalicelib.timefmt import clinic_zone

ONE_PART = {"gsm7": 160, "ucs2": 70}
EACH_PART = {"gsm7": 153, "ucs2": 67}
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€")  # two septets each


def parts(text: str) -> int:
    """How many SMS parts the text takes."""
    if all(c in _GSM7 or c in _GSM7_EXTENDED for c in text):
        units, coding = len(text) + sum(c in _GSM7_EXTENDED for c in text), "gsm7"
    else:
        units, coding = len(text.encode("utf-16-le")) // 2, "ucs2"
    return 1 if units <= ONE_PART[coding] else -(-units // EACH_PART[coding])


def cabinet_link() -> str:
    """The cabinet's short link: the setting, or the site's own /c (which opens the cabinet)."""
    return settings().sms_cabinet_link or f"{settings().public_base_url}/c"


def _zone(zone: ZoneInfo, moment: dt.datetime) -> str:
    named = catalog("ru").get("sms", {}).get("zones", {}).get(zone.key)
    if isinstance(named, str) and named:
        return named
    offset = moment.astimezone(zone).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def reminder_text(booking: Booking) -> str:
    """«Консультация 05.12 в 14:30 МСК. Вход: https://…/c»; with «(у вас 16:30)» when the patient's zone differs
    and the text still fits one part."""
    starts = from_key(booking.starts_at)
    clinic = clinic_zone()
    local = starts.astimezone(clinic)
    when = {"date": f"{local:%d.%m}", "time": f"{local:%H:%M}", "zone": _zone(clinic, starts), "link": cabinet_link()}
    text = t("sms.reminder", **when)
    if booking.patient_time_zone:
        zone = ZoneInfo(booking.patient_time_zone)
        if starts.astimezone(zone).utcoffset() != local.utcoffset():
            yours = starts.astimezone(zone)
            said = f"{yours:%H:%M}" if yours.date() == local.date() else f"{yours:%d.%m %H:%M}"
            longer = t("sms.reminder_patient_zone", **when, patient_time=said)
            if parts(longer) == 1:
                return longer
    return text
