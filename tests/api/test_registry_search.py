"""The registry finds a patient by surname (its start; case and ё/е do not matter), phone, card number or email:
each kind one read on its own index, never a Scan, a page at a time; only the registry may search, and every
patient shown is in the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.devtools.aws_calls import recording
from tests.helpers import Api, make_user


def open_card(staff: Api, full_name: str, email: str, phone: str, birth_date: str = "1980-05-17") -> dict[str, Any]:
    response = staff.post(
        "/patients", {"full_name": full_name, "email": email, "phone": phone, "birth_date": birth_date}
    )
    assert response.status_code == 201, response.json
    return response.json


def find(staff: Api, q: str, **more: Any) -> Any:
    return staff.post("/patients/find", {"q": q, **more})


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.json
    return [p["full_name"] for p in response.json["patients"]]


@pytest.fixture
def cards(staff: Api) -> dict[str, dict[str, Any]]:
    return {
        "yolkina": open_card(staff, "Ёлкина Дарья Сергеевна", "yolkina@example.org", "8 (912) 345-67-89"),
        "petrova": open_card(staff, "Петрова Анна Викторовна", "anna@example.org", "+7 921 111-22-33"),
        "petrov": open_card(staff, "Петров Иван Ильич", "ivan@example.org", "+7 (921) 111-22-44"),
        "sidorova": open_card(staff, "Сидорова Мария", "maria@example.org", "89031234567"),
    }


def test_surname_prefix_in_any_case_with_e_for_yo(staff: Api, cards: dict) -> None:
    assert names(find(staff, "елк")) == ["Ёлкина Дарья Сергеевна"]
    assert names(find(staff, "ЁЛКИНА")) == ["Ёлкина Дарья Сергеевна"]
    assert names(find(staff, "  ёлкина  дарья ")) == ["Ёлкина Дарья Сергеевна"]
    # A prefix: both Петровы, in alphabetical order, and nobody else.
    assert names(find(staff, "петр")) == ["Петров Иван Ильич", "Петрова Анна Викторовна"]
    assert names(find(staff, "Петрова")) == ["Петрова Анна Викторовна"]
    assert names(find(staff, "Петрушкин")) == []
    found = find(staff, "сидор").json
    assert found["kind"] == "surname"
    assert found["patients"] == [
        {
            "id": cards["sidorova"]["id"],
            "full_name": "Сидорова Мария",
            "email": "maria@example.org",
            "phone": "+79031234567",
            "birth_date": "1980-05-17",
            "card_number": cards["sidorova"]["card_number"],
        }
    ]
    assert found["next"] is None


def test_phone_in_any_spelling(staff: Api, cards: dict) -> None:
    assert cards["yolkina"]["phone"] == "+79123456789"  # stored E.164, whatever the form had
    for typed in ("+7 912 345-67-89", "8 (912) 345-67-89", "89123456789", "+79123456789"):
        response = find(staff, typed)
        assert names(response) == ["Ёлкина Дарья Сергеевна"], typed
        assert response.json["kind"] == "phone"
    # The start of a number: the operator's code finds both numbers under it.
    assert names(find(staff, "8 921 111")) == ["Петрова Анна Викторовна", "Петров Иван Ильич"]
    assert names(find(staff, "+7 921 111-22-44")) == ["Петров Иван Ильич"]
    assert names(find(staff, "+7 999 000-00-00")) == []
    short = find(staff, "8 9", by="phone")
    assert short.status_code == 400
    assert "кода оператора" in short.json["error"]["fields"]["q"]


def test_card_number_and_email(staff: Api, cards: dict) -> None:
    number = cards["petrov"]["card_number"]
    response = find(staff, number)
    assert response.json["kind"] == "card"
    assert names(response) == ["Петров Иван Ильич"]
    year = number.split("-")[0]
    assert len(names(find(staff, f"{year}-", limit=50))) == 4
    by_email = find(staff, "  ANNA@Example.ORG ")
    assert by_email.json["kind"] == "email"
    assert names(by_email) == ["Петрова Анна Викторовна"]
    assert names(find(staff, "nobody@example.org")) == []
    # `by` overrides the guess: digits read as a surname find nobody.
    assert names(find(staff, "89031234567", by="surname")) == []


def test_staff_are_not_patients(staff: Api, cards: dict) -> None:
    make_user("smirnova@example.org", {"registrar"}, full_name="Смирнова Ольга Петровна")
    assert names(find(staff, "смирнова")) == []
    assert names(find(staff, "smirnova@example.org")) == []


def test_pages_follow_one_another(staff: Api) -> None:
    for n in range(5):
        open_card(staff, f"Иванова Ирина {n}", f"irina{n}@example.org", f"+7 495 000-00-0{n}")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        response = find(staff, "иванова", limit=2, **({"next": cursor} if cursor else {}))
        page = names(response)
        assert 1 <= len(page) <= 2
        seen += page
        pages += 1
        cursor = response.json["next"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"Иванова Ирина {n}" for n in range(5)]
    # A cursor belongs to its search: another one, or a damaged one, is refused with a message.
    first = find(staff, "иванова", limit=2).json["next"]
    other = find(staff, "петр", next=first)
    assert other.status_code == 400
    assert "Начните поиск заново" in other.json["error"]["fields"]["next"]
    assert find(staff, "иванова", next="bm90IGEgY3Vyc29y").status_code == 400


def test_no_scan_one_query_per_page(staff: Api, cards: dict) -> None:
    for typed in ("петр", "+7 921 111", cards["petrov"]["card_number"], "anna@example.org"):
        with recording() as calls:
            assert find(staff, typed).status_code == 200
        assert "Scan" not in calls, (typed, calls)
        reads = [c for c in calls if c in ("Query", "GetItem", "Scan", "BatchGetItem")]
        if "@" in typed:
            assert "Query" not in reads  # the login's key: GetItem of the login and of the person
        else:
            assert reads.count("Query") == 1, (typed, calls)


def test_only_the_registry_searches(client, staff: Api, cards: dict) -> None:
    make_user("boris@example.org", {"patient"})
    make_user("doctor@example.org", {"doctor"})
    for email in ("boris@example.org", "doctor@example.org"):
        caller = Api(client)
        assert caller.login(email).status_code == 200
        refused = find(caller, "петр")
        assert refused.status_code == 403, refused.json
    assert find(Api(client), "петр").status_code == 401
    make_user("admin@example.org", {"admin"})
    admin = Api(client)
    admin.login("admin@example.org")
    assert names(find(admin, "петрова")) == ["Петрова Анна Викторовна"]


def test_every_patient_shown_is_audited(staff: Api, cards: dict) -> None:
    from chalicelib.clock import now
    from chalicelib.storage import audit as audit_store
    from chalicelib.timefmt import clinic_zone

    find(staff, "петр")
    day = now().astimezone(clinic_zone()).strftime("%Y-%m-%d")
    shown = {e.patient_id for e in audit_store.day_page(day, 100, None) if e.action == "find_patient"}
    assert shown == {cards["petrov"]["id"], cards["petrova"]["id"]}


def test_cards_opened_before_the_keys_are_backfilled(staff: Api, cards: dict) -> None:
    """A card written without the keys (before this version) is found once the deploy's backfill ran."""
    from chalicelib.storage import patient_search
    from chalicelib.storage.tables import User

    user = User.get(cards["sidorova"]["id"])
    user.update(
        actions=[getattr(User, f"{k}_{p}").remove() for k in ("surname", "phone", "card") for p in ("head", "key")]
    )
    assert names(find(staff, "сидор")) == []
    assert patient_search.backfill() == 1
    assert patient_search.backfill() == 0  # idempotent
    assert names(find(staff, "сидор")) == ["Сидорова Мария"]
    assert names(find(staff, "8 903 123-45-67")) == ["Сидорова Мария"]
