"""Over HTTP against the local stack: 30 patients race for each of 5 slots."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from local.client import HttpApi, new_patient, signed_in

PATIENTS = 30
SLOTS = 5


def test_thirty_patients_race_for_each_of_five_slots(stack) -> None:
    registrar = signed_in(stack.url, "registrar@clinic.local", "demo-password")
    with ThreadPoolExecutor(6) as pool:
        patients = list(pool.map(lambda _: new_patient(stack.url, registrar), range(PATIENTS)))

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
