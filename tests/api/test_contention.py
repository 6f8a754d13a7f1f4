"""Over HTTP against the local stack: 30 patients race for each of 5 slots."""
from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.http_client import HttpApi

PATIENTS = 30
SLOTS = 5


def _new_patient(url: str, registrar: HttpApi, outbox_after: int) -> HttpApi:
    email = f"race-{uuid.uuid4().hex[:10]}@example.org"
    card = registrar.post("/patients", {"full_name": "Гонщик Тестовый", "email": email, "phone": "+7 900 100-20-30",
                                        "birth_date": "1980-01-01"})
    assert card.status == 201, card.json
    mail = next(m for m in HttpApi(url).get("/dev/outbox").json if m["to"] == [email])
    temporary = re.search(r"^Пароль: (\S+)$", mail["text"], re.M).group(1)
    patient = HttpApi(url)
    assert patient.post("/auth/login", {"login": email, "password": temporary}).status == 200
    assert patient.post("/me/password", {"current_password": temporary,
                                         "new_password": f"race secret {uuid.uuid4().hex[:6]}"}).status == 204
    for doc in patient.get("/legal-documents").json:
        assert patient.post("/consents", {"kind": doc["kind"], "version": doc["version"],
                                          "sha256": doc["sha256"]}).status == 201
    return patient


def test_thirty_patients_race_for_each_of_five_slots(stack) -> None:
    registrar = HttpApi(stack.url)
    assert registrar.post("/auth/login", {"login": "registrar@clinic.local", "password": "demo-password"}).status == 200
    with ThreadPoolExecutor(6) as pool:
        patients = list(pool.map(lambda _: _new_patient(stack.url, registrar, 0), range(PATIENTS)))

    public = HttpApi(stack.url)
    doctor = next(d for d in public.get("/doctors").json if d["specialty"]["id"] == "cardiology")
    today = dt.date.today()
    slots = public.get(f"/doctors/{doctor['id']}/slots?from={today}&to={today + dt.timedelta(days=14)}").json
    assert len(slots) >= SLOTS

    for slot in slots[:SLOTS]:
        barrier = threading.Barrier(PATIENTS)

        def attempt(patient: HttpApi) -> tuple[int, str, HttpApi]:
            barrier.wait()
            response = patient.post("/bookings", {"slot_id": slot["id"]})
            return response.status, (response.json or {}).get("id") or response.json["error"]["code"], patient

        with ThreadPoolExecutor(PATIENTS) as pool:
            results = list(pool.map(attempt, patients))
        statuses = sorted(status for status, _, _ in results)
        assert statuses.count(201) == 1, statuses
        assert statuses.count(409) == PATIENTS - 1, statuses
        assert {code for status, code, _ in results if status == 409} == {"slot_taken"}
        # The winner lets it go, so nobody reaches the limit of simultaneous holds.
        [(booking_id, winner)] = [(code, p) for status, code, p in results if status == 201]
        assert winner.post(f"/bookings/{booking_id}/cancel").json["status"] == "cancelled"
