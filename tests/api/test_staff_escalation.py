"""A registrar acts on patients only (issue #14, item 5).

The attacks: a registrar re-issues an admin's or a doctor's credentials (their sessions end, the account
waits on a temporary password), gives the doctor role to their own or any staff account through
`POST /doctors`, and finds staff through the patient search. An admin may do the first two.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.i18n import t
from tests.helpers import Api, make_user, outbox

ADMIN_ONLY = t("errors.staff_account")


@pytest.fixture
def people(client) -> dict[str, Any]:
    accounts = {
        "admin": make_user("admin@example.org", {"admin"}),
        "registrar": make_user("registrar@example.org", {"registrar"}),
        "other_registrar": make_user("other.registrar@example.org", {"registrar"}),
        "doctor": make_user("doctor@example.org", {"doctor"}),
        "patient": make_user("patient@example.org", {"patient"}),
        "patient_doctor": make_user("both@example.org", {"patient", "doctor"}),
    }
    return accounts


def signed_in(client, email: str) -> Api:
    api = Api(client)
    assert api.login(email).status_code == 200, email
    return api


def specialty(api: Api) -> str:
    return api.post("/specialties", {"name": "Терапия"}).json["id"]


def new_doctor_body(email: str, specialty_id: str) -> dict[str, Any]:
    return {
        "email": email,
        "full_name": "Новый Врач Врачович",
        "specialty_id": specialty_id,
        "price": 2000,
        "duration_minutes": 30,
    }


def assert_admin_only(response: Any) -> None:
    assert response.status_code == 403, (response.status_code, response.json)
    assert response.json["error"]["code"] == "forbidden"
    assert response.json["error"]["message"] == ADMIN_ONLY


# Credentials --------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["admin", "doctor", "other_registrar", "registrar", "patient_doctor"])
def test_registrar_cannot_reissue_staff_credentials(client, people: dict[str, Any], target: str) -> None:
    victim = people[target]
    victim_session = signed_in(client, victim.email)
    registrar = signed_in(client, "registrar@example.org") if target != "registrar" else victim_session
    sent_before = len(outbox())
    answer = registrar.post(f"/patients/{victim.user_id}/credentials")
    assert_admin_only(answer)
    assert len(outbox()) == sent_before  # no temporary password went out
    assert victim_session.get("/me").status_code == 200  # their session lives on
    assert signed_in(client, victim.email).get("/me").json["must_change_password"] is False


def test_registrar_still_reissues_a_patients_credentials(client, people: dict[str, Any]) -> None:
    registrar = signed_in(client, "registrar@example.org")
    answer = registrar.post(f"/patients/{people['patient'].user_id}/credentials")
    assert answer.status_code == 200 and answer.json["credentials_sent"] is True


def test_admin_reissues_staff_credentials(client, people: dict[str, Any]) -> None:
    admin = signed_in(client, "admin@example.org")
    for target in ("doctor", "registrar", "patient_doctor"):
        answer = admin.post(f"/patients/{people[target].user_id}/credentials")
        assert answer.status_code == 200, (target, answer.json)


def test_unknown_account_is_not_found(client, people: dict[str, Any]) -> None:
    registrar = signed_in(client, "registrar@example.org")
    assert registrar.post("/patients/nobody-at-all/credentials").status_code == 404


# The doctor's role ----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["registrar", "other_registrar", "admin"])
def test_registrar_cannot_make_staff_a_doctor(client, people: dict[str, Any], target: str) -> None:
    registrar = signed_in(client, "registrar@example.org")
    answer = registrar.post("/doctors", new_doctor_body(people[target].email, specialty(registrar)))
    assert_admin_only(answer)
    assert "doctor" not in signed_in(client, people[target].email).get("/me").json["roles"]
    assert [d for d in Api(client).get("/doctors").json if d["id"] == people[target].user_id] == []


def test_registrar_cannot_take_over_a_doctors_account(client, people: dict[str, Any]) -> None:
    registrar = signed_in(client, "registrar@example.org")
    answer = registrar.post("/doctors", new_doctor_body("doctor@example.org", specialty(registrar)))
    assert_admin_only(answer)


def test_registrar_adds_new_and_patient_doctors(client, people: dict[str, Any]) -> None:
    registrar = signed_in(client, "registrar@example.org")
    specialty_id = specialty(registrar)
    assert registrar.post("/doctors", new_doctor_body("brand.new@example.org", specialty_id)).status_code == 201
    answer = registrar.post("/doctors", new_doctor_body("patient@example.org", specialty_id))
    assert answer.status_code == 201, answer.json
    assert signed_in(client, "patient@example.org").get("/me").json["roles"] == ["doctor", "patient"]


def test_admin_may_make_staff_and_themselves_doctors(client, people: dict[str, Any]) -> None:
    admin = signed_in(client, "admin@example.org")
    specialty_id = specialty(admin)
    assert admin.post("/doctors", new_doctor_body("other.registrar@example.org", specialty_id)).status_code == 201
    assert admin.post("/doctors", new_doctor_body("admin@example.org", specialty_id)).status_code == 201
    assert admin.get("/me").json["roles"] == ["admin", "doctor"]


def test_even_a_patient_registrar_cannot_make_themselves_a_doctor(client) -> None:
    make_user("desk@example.org", {"registrar", "patient"})
    registrar = signed_in(client, "desk@example.org")
    assert_admin_only(registrar.post("/doctors", new_doctor_body("desk@example.org", specialty(registrar))))


# Patient search -------------------------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["registrar@example.org", "admin@example.org"])
@pytest.mark.parametrize("target", ["admin@example.org", "other.registrar@example.org", "doctor@example.org"])
def test_patient_search_finds_no_staff(client, people: dict[str, Any], caller: str, target: str) -> None:
    found = signed_in(client, caller).post("/patients/search", {"email": target})
    assert found.status_code == 404, found.json
    assert found.json["error"]["code"] == "not_found"
    unknown = signed_in(client, caller).post("/patients/search", {"email": "nobody@example.org"})
    assert found.body == unknown.body  # staff look like nobody


def test_patient_search_finds_patients(client, people: dict[str, Any]) -> None:
    registrar = signed_in(client, "registrar@example.org")
    assert registrar.post("/patients/search", {"email": "patient@example.org"}).status_code == 200
    assert registrar.post("/patients/search", {"email": "both@example.org"}).status_code == 200
