"""Medical secrecy in email (323-FZ art. 13: even the fact of seeking care is secret).

Every template in chalicelib/templates/email is rendered with a realistic context: a subject names no specialty,
no doctor and no diagnosis; no subject or body (text or HTML) carries the conclusion or a diagnosis (the conclusion
travels only as the signed PDF attachment). Templates are found by listing the directory, so a template added
later is checked too — and fails here until its author adds a sample context below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from chalicelib import mail

TEMPLATES = Path(mail.TEMPLATES) / "email"
MARKER = "SECRET-MARKER-7f3a"  # what the conclusion's and diagnosis' fields carry in every context
SPECIALTY = "Кардиология"
DOCTOR = "Орлова Елена Дмитриевна"
DIAGNOSIS = "Артериальная гипертензия"
# Words that would say what a person is treated for; the specialty's and the doctor's names in their forms.
NEVER_IN_SUBJECT = (
    MARKER,
    SPECIALTY,
    "кардиолог",
    "Орлова",
    "Орловой",
    "Елена Дмитриевна",
    "диагноз",
    "МКБ",
    "гипертенз",
    DIAGNOSIS,
)
# Fields a context might carry, by any of the names the code uses for medical content.
MEDICAL = {
    name: f"{MARKER} {name} {DIAGNOSIS}"
    for name in ("conclusion", "diagnosis", "complaints", "anamnesis", "examination", "recommendations", "sections")
}


def booking() -> dict[str, Any]:
    """What the booking's emails get from booking.mails.booking_context, built by that function itself."""
    from chalicelib.booking.mails import booking_context
    from chalicelib.storage.records import Booking

    starts = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    item = Booking(
        "b" * 32,
        patient_id="p" * 32,
        doctor_id="d" * 32,
        starts_at=f"{starts:%Y-%m-%dT%H:%M:%SZ}",
        ends_at=f"{starts + dt.timedelta(minutes=30):%Y-%m-%dT%H:%M:%SZ}",
        status="paid",
        price=3500,
        patient_email="anna@example.org",
        patient_name="Петрова Анна Викторовна",
        patient_time_zone="Asia/Yekaterinburg",
        doctor_name=DOCTOR,
        specialty_name=SPECIALTY,
        created_at=starts.isoformat(),
        updated_at=starts.isoformat(),
    )
    return {**booking_context(item), **MEDICAL}


def receipt() -> dict[str, Any]:
    return {
        "payment_id": "2f1c0a3b-000f-5000-9000-1b2c3d4e5f60",
        "paid_at": "2 декабря 2026 г., 15:04 (МСК)",
        "item": "Консультация врача с применением телемедицинских технологий",
        "amount": "3500.00",
        "vat_code": 1,
        "description": f"Телемедицинская консультация, {SPECIALTY}, {DOCTOR}, 03.12.2026 12:00",
        "seller": "ФГБУ СЗОНКЦ им. Л.Г. Соколова ФМБА России",
        "email": "anna@example.org",
    }


def person() -> dict[str, Any]:
    return {"full_name": "Петрова Анна Викторовна", **MEDICAL}


# One realistic context per template (the values the code passes; see each template's sender).
SAMPLES: dict[str, Any] = {
    "booking_cancelled": booking,
    "booking_moved": lambda: {
        **booking(),
        "previous_starts_text": "3 декабря 2026 г., 12:00 (МСК)",
        "by_staff": False,
        "attachments": [],
    },
    "booking_paid": lambda: {
        **booking(),
        "room_url": "http://127.0.0.1:8000/room/r1#token=abc",
        "documents_address": "docs+token@clinic.local",
        "receipt": receipt(),
        "attachments": [],
    },
    "booking_refunded": lambda: {**booking(), "reason": "doctor_no_show", "amount": "3500.00"},
    "conclusion": lambda: {**booking(), "attachments": [{"kind": "s3", "filename": "zaklyuchenie.pdf"}]},
    "credentials": lambda: {
        **person(),
        "reason": "new_card",
        "card_number": "2026-000042",
        "login": "anna@example.org",
        "password": "temporary-pass-1",
        "login_url": "http://127.0.0.1:8000/login",
        "valid_until": "5 декабря 2026 г., 15:00 (МСК)",
    },
    "documents_received": lambda: {
        **person(),
        "problem": None,
        "attached": [{"filename": "анализ крови.pdf"}],
        "refused": [{"filename": "скан.docx", "reason": "не PDF, JPEG или PNG"}],
        "consultation": "3 декабря 2026 г., 12:00 (МСК)",
        "held": False,
        "documents_address": "docs+token@clinic.local",
    },
    "password_reset": lambda: {
        **person(),
        "reset_url": "http://127.0.0.1:8000/reset-password#token=abc",
        "valid_until": "2 декабря 2026 г., 16:04 (МСК)",
    },
    "reminder": booking,
    "room_link": lambda: {**booking(), "room_url": "http://127.0.0.1:8000/room/r1#token=abc"},
    "guest_invite": lambda: {
        **booking(),
        "full_name": "Петров Иван Сергеевич",
        "patient_name": "Петрова Анна Викторовна",
        "relation": "законный представитель",
        "room_url": "http://127.0.0.1:8000/room/r1#token=abc",
    },
    # To the clinic's own staff, about money: no patient's medical content either.
    "reconciliation": lambda: {
        **MEDICAL,
        "period_from": "2026-12-01",
        "period_to": "2026-12-01",
        "first_text": "1 декабря 2026 г.",
        "last_text": "1 декабря 2026 г.",
        "ran_text": "2 декабря 2026 г., 06:00 (МСК)",
        "checked": {"payments": 3, "refunds": 1, "bookings": 4, "rendered": 2},
        "differences_count": 1,
        "differences": [{"kind": "amount_differs", "what_to_do": "Сверьте сумму записи с платежом в ЮKassa."}],
        "kind_names": {"amount_differs": "Сумма не совпадает"},
        "page_url": "http://127.0.0.1:8000/admin/reconciliation",
    },
}


def templates() -> list[str]:
    return sorted(p.name.removesuffix(".subject.txt") for p in TEMPLATES.glob("*.subject.txt"))


def test_every_template_has_a_sample_context() -> None:
    """A new email must come with its sample here, so that its subject and body are checked like the rest."""
    missing = set(templates()) - set(SAMPLES)
    assert not missing, f"add a realistic sample context to SAMPLES in {__file__} for: {sorted(missing)}"
    assert not set(SAMPLES) - set(templates()), "a sample for a template that no longer exists"
    for name in templates():  # each message is the three files mail.render reads
        assert (TEMPLATES / f"{name}.txt").is_file() and (TEMPLATES / f"{name}.html").is_file(), name


@pytest.mark.parametrize("name", templates())
def test_subject_names_no_specialty_doctor_or_diagnosis(name: str) -> None:
    subject, _text, _html = mail.render(name, SAMPLES[name]())
    assert subject.strip()
    found = [word for word in NEVER_IN_SUBJECT if word.lower() in subject.lower()]
    assert not found, f"{name}: the subject «{subject}» says {found}"


@pytest.mark.parametrize("name", templates())
def test_no_subject_or_body_carries_the_conclusion_or_a_diagnosis(name: str) -> None:
    subject, text, html = mail.render(name, SAMPLES[name]())
    for part, content in (("subject", subject), ("text", text), ("html", html)):
        assert MARKER not in content, f"{name}: the {part} carries a conclusion's or diagnosis' field"
        assert DIAGNOSIS.lower() not in content.lower(), f"{name}: the {part} names a diagnosis"


def test_the_check_would_catch_a_leaking_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks above fail on a template that puts the conclusion in its subject or body."""
    folder = tmp_path / "email"
    folder.mkdir()
    (folder / "leak.subject.txt").write_text("Заключение: {{ conclusion }} ({{ specialty }})", encoding="utf-8")
    (folder / "leak.txt").write_text("{{ conclusion }}", encoding="utf-8")
    (folder / "leak.html").write_text("<p>{{ conclusion }}</p>", encoding="utf-8")
    monkeypatch.setattr(mail, "TEMPLATES", tmp_path)
    mail._env.cache_clear()
    try:
        subject, text, html = mail.render("leak", booking())
    finally:
        mail._env.cache_clear()
    assert MARKER in subject and MARKER in text and MARKER in html
    assert any(word.lower() in subject.lower() for word in NEVER_IN_SUBJECT)
