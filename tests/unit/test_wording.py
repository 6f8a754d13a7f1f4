"""How the clinic writes numbers, sums, durations and certificates (chalicelib/i18n.py, the emails, the conclusion's
signature block): «1 500 ₽» with no-break spaces, «через 15 секунд», «за 24 часа», and the certificate by its number,
issuer and validity, never a raw distinguished name; the signature block is left-aligned, not justified."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from chalicelib.i18n import count, group_digits, money, plural_category
from chalicelib.mail import render as render_mail
from chalicelib.signing.describe import certificate_line

NBSP = "\u00a0"
CLINIC = "ФГБУ СЗОНКЦ им. Л.Г. Соколова ФМБА России"


@pytest.mark.parametrize(
    ("n", "category"),
    [
        *[(1, "one"), (21, "one"), (101, "one"), (2, "few"), (4, "few"), (22, "few"), (5, "many"), (11, "many")],
        *[(12, "many"), (14, "many"), (15, "many"), (111, "many"), (0, "many"), (112, "many")],
    ],
)
def test_russian_plural_categories(n: int, category: str) -> None:
    assert plural_category(n) == category


def test_counts_are_written_out_with_the_right_form() -> None:
    assert count(1, "seconds") == "1 секунду"  # after «через»
    assert count(3, "seconds") == "3 секунды"
    assert count(15, "seconds") == "15 секунд"
    assert count(1, "hours") == "1 час"
    assert count(24, "hours") == "24 часа"
    assert count(48, "hours") == "48 часов"
    assert count(30, "minutes") == "30 минут"
    assert count(21, "minutes") == "21 минута"
    assert count(2, "minutes", "en") == "2 minutes"
    assert count(1, "minutes", "en") == "1 minute"


def test_sums_have_thousands_set_off_by_no_break_spaces() -> None:
    assert money(1500) == f"1{NBSP}500{NBSP}₽"
    assert money("1500.00") == f"1{NBSP}500{NBSP}₽"
    assert money("2500.50") == f"2{NBSP}500,50{NBSP}₽"
    assert money(1_250_000) == f"1{NBSP}250{NBSP}000{NBSP}₽"
    assert money(500) == f"500{NBSP}₽"
    assert group_digits(3500, "en") == "3,500"


def test_the_throttle_says_when_to_try_again_in_words(client) -> None:
    from chalicelib.accounts.throttle import _refusal
    from chalicelib.web.errors import describe

    start = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    status, body, headers = describe(_refusal("login:x", start + dt.timedelta(seconds=15), start))
    assert status == 429 and headers["Retry-After"] == "15"
    assert body["error"]["message"] == "Слишком много попыток. Повторите, пожалуйста, через 15 секунд."


def booking_context(price: int = 2500) -> dict:
    return {
        "full_name": "Петрова Анна Викторовна",
        "doctor_name": "Иванов Сергей Николаевич",
        "specialty": "Терапия",
        "price": price,
        "booking_url": "http://127.0.0.1:8000/bookings/b1",
        "deadline_hours": 24,
        "starts_text": "3 декабря 2026 г., 10:00 (по московскому времени)",
        "patient_starts_text": None,
        "minutes": 30,
    }


def test_emails_write_sums_and_hours_as_the_clinic_does() -> None:
    subject, text, html = render_mail(
        "booking_refunded", {**booking_context(), "reason": "cancelled", "amount": "2500.00"}
    )
    assert f"2{NBSP}500{NBSP}₽" in subject and f"2{NBSP}500{NBSP}₽" in text and f"2{NBSP}500{NBSP}₽" in html
    _, text, html = render_mail("booking_cancelled", booking_context())
    assert "за 24 часа" in text and "за 24 часа" in html
    assert not re.search(r"(?<![.!?]\s)(?<!^)\b(Вы|Вас|Вам|Ваш\w*)\b", text, re.MULTILINE), text


def make_certificate() -> str:
    """A doctor's certificate issued by the training CA, as chalicelib/signing/ca.py makes them."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, CLINIC),
            x509.NameAttribute(NameOID.COMMON_NAME, "Учебный УЦ Центра телемедицины"),
        ]
    )
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Иванов Сергей Николаевич")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(0x1A2B3C4D5E6F)
        .not_valid_before(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2027, 12, 2, 9, 0, tzinfo=dt.UTC))
        .sign(key, hashes.SHA256())
    )
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_the_certificate_is_named_by_number_issuer_and_validity() -> None:
    line = certificate_line(make_certificate())
    assert line == (
        f"Сертификат № 1A2B3C4D5E6F выдан: Учебный УЦ Центра телемедицины, {CLINIC}, "
        "действителен с 2 декабря 2026 г. по 2 декабря 2027 г."
    )
    assert "CN=" not in line and "O=" not in line


def words_by_line(pdf: Path) -> list[list[tuple[float, float, str]]]:
    """pdftotext's words with their x extents, grouped into lines."""
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    lines = []
    for block in re.findall(r"<line[^>]*>(.*?)</line>", html.stdout, re.S):
        words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', block)
        lines.append([(float(a), float(b), text) for a, b, text in words])
    return lines


def test_the_conclusion_signature_block_is_left_aligned_and_names_the_certificate(tmp_path: Path) -> None:
    from chalicelib.conclusions.document import render

    certificate = certificate_line(make_certificate())
    pdf = render(
        clinic_name=CLINIC,
        clinic_address="Санкт-Петербург, пр. Культуры, д. 4",
        booking_id="b1",
        patient={
            "full_name": "Петрова Анна Викторовна",
            "birth_date": "12 апреля 1985 г.",
            "card_number": "2026-000001",
        },
        doctor={"full_name": "Иванов Сергей Николаевич", "specialty": "Терапия"},
        consultation_time="3 декабря 2026 г., 10:00 (по московскому времени)",
        sections={"conclusion": "Здоров."},
        signer={"name": "Иванов Сергей Николаевич", "when": "3 декабря 2026 г., 10:31", "certificate": certificate},
        verify_url="http://127.0.0.1:8000/verify",
    )
    path = tmp_path / "conclusion.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Сертификат № 1A2B3C4D5E6F выдан: Учебный УЦ Центра телемедицины" in flat
    assert "действителен с 2 декабря 2026 г. по 2 декабря 2027 г." in flat
    assert "CN=" not in flat
    lines = [line for line in words_by_line(path) if line]
    start = next(index for index, line in enumerate(lines) if line[0][2] == "Подписал:")
    block = lines[start:]  # the signature block ends the document: who, when, the certificate, how to verify
    assert any(line[0][2] == "Сертификат" for line in block) and len(block) >= 5, block
    # Every line of the block starts at one left edge, and its words stand one plain space apart (justified text
    # stretches the spaces of every line but a paragraph's last).
    assert max(line[0][0] for line in block) - min(line[0][0] for line in block) < 0.5, block
    gaps = [(b[0] - a[1], a[2]) for line in block for a, b in itertools.pairwise(line)]
    widths = [gap for gap, _ in gaps]
    assert max(widths) - min(widths) < 0.3, gaps


def test_staff_see_every_kind_of_outgoing_message_by_its_name() -> None:
    """The mailroom lists failed outgoing messages by kind: every email template and every job the outbox carries
    (the 54-FZ receipts' requests to YooKassa) has a name in both languages, never a raw identifier."""
    import json

    from chalicelib import sms, timer
    from chalicelib.mail import TEMPLATES
    from chalicelib.payments import receipts

    kinds = {p.name.removesuffix(".subject.txt") for p in (TEMPLATES / "email").glob("*.subject.txt")}
    kinds |= {receipts.CLOSING_JOB, receipts.STATUS_JOB}
    kinds |= set(sms.JOBS)
    kinds |= set(timer.JOBS)  # a moved booking's timer (chalicelib/timer.py)
    locales = Path(__file__).resolve().parents[2] / "frontend" / "src" / "locales"
    for language in ("ru", "en"):
        named = json.loads((locales / f"{language}.json").read_text(encoding="utf-8"))["mail"]["templates"]
        assert sorted(kinds - set(named)) == [], language
