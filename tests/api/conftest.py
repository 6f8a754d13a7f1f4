"""A small clinic for booking tests: a specialty, a doctor with hours, a patient who signed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from local.yookassa_emulator import YooKassaEmulator
from tests.helpers import Api, make_user

SHOP, SECRET = "100001", "test_secret_key"

MONDAY_TO_FRIDAY = {str(d): [["09:00", "13:00"]] for d in range(1, 6)}


def sign_documents(patient: Api) -> None:
    """Every document required before booking (the optional ones, such as the clinic's news, stay unsigned)."""
    for doc in patient.get("/legal-documents").json:
        if not doc["required_before_booking"]:
            continue
        response = patient.post("/consents", {"kind": doc["kind"], "version": doc["version"], "sha256": doc["sha256"]})
        assert response.status_code == 201, response.json


@pytest.fixture
def staff(client) -> Api:
    make_user("registrar@example.org", {"registrar"})
    api = Api(client)
    assert api.login("registrar@example.org").status_code == 200
    return api


@pytest.fixture
def doctor(client, staff: Api) -> dict:
    specialty = staff.post("/specialties", {"name": "Кардиология"}).json
    created = staff.post(
        "/doctors",
        {
            "email": "orlova@example.org",
            "full_name": "Орлова Елена Дмитриевна",
            "specialty_id": specialty["id"],
            "price": 3500,
            "duration_minutes": 30,
            "bio": "Кардиолог",
        },
    )
    assert created.status_code == 201, created.json
    schedule = staff.call(
        "PUT",
        f"/doctors/{created.json['id']}/schedule",
        {"weekly_hours": {str(d): [["00:00", "23:30"]] for d in range(1, 8)}},
    )
    assert schedule.status_code == 200, schedule.json
    return created.json


@pytest.fixture
def patient(client) -> Api:
    make_user("anna@example.org", {"patient"}, full_name="Петрова Анна Викторовна")
    api = Api(client)
    api.login("anna@example.org")
    sign_documents(api)
    return api


def another_patient(client, email: str = "boris@example.org") -> Api:
    make_user(email, {"patient"}, full_name="Борисов Борис")
    api = Api(client)
    api.login(email)
    sign_documents(api)
    return api


def free_slots(api: Api, doctor_id: str, days: int = 2) -> list[dict]:
    today = dt.date.today()
    response = api.get(f"/doctors/{doctor_id}/slots?from={today}&to={today + dt.timedelta(days=days)}")
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def yookassa(client, monkeypatch: pytest.MonkeyPatch) -> Iterator[YooKassaEmulator]:
    from chalicelib.config import reload_settings
    from chalicelib.payments import gateway
    from chalicelib.secrets import secret

    def deliver(body: dict) -> int:
        return client.http.post(
            "/payments/yookassa/webhook", headers={"Content-Type": "application/json"}, body=json.dumps(body)
        ).status_code

    emulator = YooKassaEmulator(SHOP, SECRET, deliver, synchronous=True, max_delivery_attempts=1)
    monkeypatch.setenv("YOOKASSA_API_URL", emulator.start())
    monkeypatch.setenv("YOOKASSA_SHOP_ID", SHOP)
    monkeypatch.setenv("YOOKASSA_SECRET_KEY", SECRET)
    monkeypatch.setenv("YOOKASSA_TRUSTED_NETWORKS", "127.0.0.1/32")
    reload_settings()
    gateway.reset()
    secret.cache_clear()
    yield emulator
    emulator.stop()
    gateway.reset()
    secret.cache_clear()
