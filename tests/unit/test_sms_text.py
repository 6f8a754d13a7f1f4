"""The reminder's SMS text: one Cyrillic part (70 characters) when it can be, otherwise its parts counted; the day and
time in the clinic's zone, the cabinet's short link; never the specialty, the doctor or the room's link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.config import reload_settings
from chalicelib.scheduling.times import to_key
from chalicelib.sms.text import parts, reminder_text
from chalicelib.storage.records import Booking

STARTS = dt.datetime(2026, 12, 5, 11, 30, tzinfo=dt.UTC)  # 14:30 in Moscow


@pytest.fixture
def link(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def use(value: str) -> None:
        monkeypatch.setenv("SMS_CABINET_LINK", value)
        reload_settings()

    yield use
    monkeypatch.delenv("SMS_CABINET_LINK", raising=False)
    reload_settings()


def booking(patient_zone: str | None = None) -> Booking:
    return Booking(
        "b" * 32,
        starts_at=to_key(STARTS),
        ends_at=to_key(STARTS + dt.timedelta(minutes=30)),
        patient_time_zone=patient_zone,
        specialty_name="Гинекология",
        doctor_name="Орлова Елена Дмитриевна",
        room_id="r" * 32,
    )


def test_parts_of_cyrillic_and_latin_texts() -> None:
    assert [parts("я" * n) for n in (1, 70, 71, 134, 135, 201, 202)] == [1, 1, 2, 2, 3, 3, 4]
    assert [parts("a" * n) for n in (160, 161, 306, 307)] == [1, 2, 2, 3]
    assert parts("€" * 80) == 1 and parts("€" * 81) == 2  # GSM-7's extension: two septets each
    assert parts("😀" * 35) == 1 and parts("😀" * 36) == 2  # outside the BMP: two UCS-2 units


def test_the_reminder_fits_one_part_and_says_only_when_and_where_to_sign_in(link: Any) -> None:
    link("https://telemed.example.org/c")
    text = reminder_text(booking())
    assert text == "Консультация 05.12 в 14:30 МСК. Вход: https://telemed.example.org/c"
    assert len(text) <= 70 and parts(text) == 1
    for secret in ("Гинеколог", "Орлова", "/room/", "r" * 32, "b" * 32, "#token"):
        assert secret not in text


def test_the_patients_own_time_is_added_only_when_it_still_fits(link: Any) -> None:
    link("https://tm.ru/c")
    text = reminder_text(booking("Asia/Yekaterinburg"))
    assert text == "Консультация 05.12 в 14:30 МСК (у вас 16:30). Вход: https://tm.ru/c"
    # Vladivostok is a day ahead at 01:30: the date is said too.
    late = booking("Asia/Vladivostok")
    late.starts_at = to_key(dt.datetime(2026, 12, 5, 20, 30, tzinfo=dt.UTC))
    link("tm.ru/c")
    assert reminder_text(late) == "Консультация 05.12 в 23:30 МСК (у вас 06.12 06:30). Вход: tm.ru/c"
    assert "у вас" not in reminder_text(booking("Europe/Moscow"))
    link("https://telemed.example.org/c")
    text = reminder_text(booking("Asia/Yekaterinburg"))
    assert "у вас" not in text and parts(text) == 1  # the longer text would take two parts


def test_a_long_link_makes_more_parts_and_says_how_many(link: Any) -> None:
    link("https://telemedicine.clinic-of-the-north-west.example.org/cabinet")
    text = reminder_text(booking())
    assert len(text) > 70 and parts(text) == 2
