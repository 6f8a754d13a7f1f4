"""The request form and the new card: a Russian phone of 11 digits (stored E.164); an email with a Cyrillic domain
stored as typed, shown in Cyrillic to the registry and written in IDNA on the envelope of the mail sent to it."""

from __future__ import annotations

import pytest

from tests.helpers import Api, outbox

FORM = {"full_name": "Кузнецов Павел", "email": "pavel@example.org"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+7 912 345-67-89", "+79123456789"),
        ("8 (912) 345-67-89", "+79123456789"),
        ("89123456789", "+79123456789"),
        ("+7(912)3456789", "+79123456789"),
        ("  8 912 345 67 89 ", "+79123456789"),
    ],
)
def test_a_russian_phone_in_any_usual_spelling_is_stored_e164(client, typed: str, stored: str) -> None:
    created = Api(client).post("/registration-requests", {**FORM, "phone": typed})
    assert created.status_code == 201, created.json
    assert created.json["phone"] == stored


@pytest.mark.parametrize(
    "typed",
    [
        "912 345-67-89",  # 10 digits: the +7 or 8 left out
        "+7 912 345-67-890",  # 12 digits
        "8 912 345-67-8",  # 10 digits after all
        "+8 912 345-67-89",  # + and not 7
        "+1 212 555 01 23",  # another country
        "8 912 345 67 89 доб. 5",  # letters
    ],
)
def test_any_other_phone_is_refused_with_what_to_type(client, staff: Api, typed: str) -> None:
    refused = Api(client).post("/registration-requests", {**FORM, "phone": typed})
    assert refused.status_code == 400
    message = refused.json["error"]["fields"]["phone"]
    assert "11 цифр" in message and "+7 или 8" in message
    card = staff.post("/patients", {**FORM, "phone": typed, "birth_date": "1980-01-01"})
    assert card.status_code == 400
    assert set(card.json["error"]["fields"]) == {"phone"}
    assert staff.get("/registration-requests").json == []  # nothing half-written


def test_a_cyrillic_domain_is_kept_shown_and_mailed_in_idna(staff: Api) -> None:
    card = staff.post(
        "/patients",
        {"full_name": "Иванов Пётр", "email": "Petr@Почта.РФ", "phone": "+7 912 000-11-22", "birth_date": "1980-01-01"},
    )
    assert card.status_code == 201, card.json
    assert card.json["email"] == "petr@почта.рф"
    [letter] = [m for m in outbox() if "Иванов Пётр" in m["text"]]
    assert letter["to"] == ["petr@xn--80a1acny.xn--p1ai"]
    assert "Логин: petr@почта.рф" in letter["text"]
    found = staff.post("/patients/find", {"q": "petr@xn--80a1acny.xn--p1ai"}).json["patients"]
    assert [p["email"] for p in found] == ["petr@почта.рф"]
    assert staff.post("/patients/find", {"q": "PETR@почта.рф"}).json["patients"] == found


def test_a_cyrillic_name_before_the_at_is_refused_with_why(client) -> None:
    refused = Api(client).post("/registration-requests", {**FORM, "email": "иван@почта.рф", "phone": "89123456789"})
    assert refused.status_code == 400
    assert "латиницей" in refused.json["error"]["fields"]["email"]
