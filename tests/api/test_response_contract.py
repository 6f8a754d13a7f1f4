"""Every answer the app gives on its happy paths, for every role, matches the schema it publishes.

The OpenAPI document closes every response object (`additionalProperties: false`), so a field the
app returns that its route does not declare — a new one forgotten, or one that leaks — fails here.
Every 2xx JSON body of this test (the `world` of the authorization matrix included) is checked
as it arrives (tests/contract.py); at the end every documented operation must have been answered
with a 2xx at least once, so a new route needs a happy path here too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import requests

from tests.api.conftest import free_slots
from tests.api.test_authorization_matrix import world  # noqa: F401  (the fixture, reused)
from tests.api.test_data_export import run_worker
from tests.contract import Contract, watch
from tests.helpers import Api, Clock, outbox

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECTIONS = {
    "complaints": "Кашель",
    "anamnesis": "Неделю",
    "examination": "Хрипов нет",
    "conclusion": "ОРВИ",
    "recommendations": "Пить воду",
}


@pytest.fixture
def contract(client, monkeypatch: pytest.MonkeyPatch) -> Contract:
    # Asked for before `world`, so the fixture's own calls (holds, payments, signatures) are checked too.
    return watch(client, monkeypatch)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.body[:500])
    return getattr(response, "json", None)


def signed_in(client: Any, login: str, password: str = "correct horse battery") -> Api:
    api = Api(client)
    ok(api.login(login, password))
    return api


def link_token(text: str, path: str) -> str:
    match = re.search(re.escape(path) + r"\S*?[?#&]token=([^&\s\"'<>]+)", text)
    assert match, text
    return match.group(1)


def test_every_answer_matches_its_declared_schema(client, contract: Contract, world: dict[str, Any], yookassa) -> None:
    params = world["params"]
    booking_id, doctor_id = params["booking_id"], params["doctor_id"]
    patient = signed_in(client, "anna@example.org")
    other_patient = signed_in(client, "boris@example.org")
    doctor = signed_in(client, "orlova@example.org")
    other_doctor = signed_in(client, "other.doctor@example.org")
    registrar = signed_in(client, "registrar@example.org")
    admin = signed_in(client, "admin@example.org")
    anonymous = Api(client)
    everyone = [anonymous, patient, other_patient, doctor, other_doctor, registrar, admin]

    # System and catalogue, for everyone.
    for api in everyone:
        ok(api.get("/health"))
        ok(api.get("/clinic"))
        ok(api.get("/specialties"))
        ok(api.get("/doctors"))
        ok(api.get(f"/doctors?specialty={params['specialty_id']}"))
        ok(api.get(f"/doctors/{doctor_id}"))
        ok(api.get(f"/doctors/{doctor_id}/slots"))
    ok(anonymous.get("/openapi.json"))
    ok(anonymous.get("/dev/outbox"))
    ok(client.http.post("/network-check", headers={"Content-Type": "application/octet-stream"}, body=b"x" * 1024))

    # Who one is, and the documents in force.
    ok(anonymous.get("/session"))
    for api in everyone[1:]:
        ok(api.get("/session"))
        ok(api.get("/me"))
        ok(api.get("/legal-documents"))

    # Bookings as the patient and as the doctor.
    for api in (patient, other_patient):
        ok(api.get("/bookings"))
        ok(api.get("/bookings?as=patient"))
        ok(api.get("/consents"))
    for api in (doctor, other_doctor):
        ok(api.get("/bookings?as=doctor"))
    for api in (patient, doctor, registrar, admin):
        ok(api.get(f"/bookings/{booking_id}"))
    starts = dt.datetime.fromisoformat(patient.get(f"/bookings/{booking_id}").json["starts_at"])
    ok(doctor.get("/doctor/consultations"))
    ok(doctor.get(f"/doctor/consultations?date={starts.date()}"))
    ok(doctor.get("/doctor/waiting"))  # the waiting queue (its rows: tests/api/test_waiting_queue.py)

    # The room, by session (its doctor, its patient) and by the link's token.
    for api in (doctor, patient):
        ok(api.get(f"/rooms/{params['room_id']}"))
    invitation = next(m for m in outbox() if f"/{params['room_id']}" in m["text"] and "token=" in m["text"])
    token = link_token(invitation["text"], f"/{params['room_id']}")
    # The token in the header the page sends, and in the query of older links.
    ok(anonymous.get(f"/rooms/{params['room_id']}?token={token}", headers={"X-Room-Token": token}))

    # The signed conclusion (the world signed it): the doctor's view, the PDF, verification.
    ok(doctor.get(f"/bookings/{booking_id}/conclusion"))
    pdf = client.http.get(
        f"/bookings/{booking_id}/conclusion/pdf", headers={"Cookie": patient.cookie, "Accept": "application/pdf"}
    )
    assert pdf.status_code == 200
    ok(client.http.post("/conclusions/verify", headers={"Content-Type": "application/pdf"}, body=pdf.body))
    ok(admin.get("/audit"))
    ok(admin.get(f"/audit?date={starts.astimezone().date()}"))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    ok(admin.post("/admin/reconciliations", {"from": today, "to": today}), 201)  # the world's payments: some
    ok(admin.get("/admin/reconciliations"))

    # Signed copies and withdrawal of the consent.
    consents = ok(patient.get("/consents"))
    for consent in consents:
        ok(patient.get(f"/consents/{consent['id']}"))
        copy = client.http.get(f"/consents/{consent['id']}/pdf", headers={"Cookie": patient.cookie, "Accept": "*/*"})
        assert copy.status_code == 200
    withdrawable = [c for c in consents if c["withdrawable"]]
    assert withdrawable, consents
    ok(patient.get(f"/consents/{withdrawable[0]['id']}/withdrawal"))
    ok(patient.post(f"/consents/{withdrawable[0]['id']}/withdraw"))
    again = next(d for d in ok(patient.get("/legal-documents")) if d["kind"] == withdrawable[0]["kind"])
    # Signed again as the booking wizard signs: every listed document in one request.
    resigned = {"kind": again["kind"], "version": again["version"], "sha256": again["sha256"]}
    ok(patient.post("/legal-documents/signatures", {"documents": [resigned]}), 201)

    # A draft on a second paid consultation, at its start; a third held and cancelled unpaid;
    # a fourth paid and refunded by the registry.
    later = [
        s
        for s in free_slots(patient, doctor_id, days=3)
        if dt.datetime.fromisoformat(s["starts_at"]) > starts + dt.timedelta(hours=1)
    ]
    assert len(later) >= 3, later
    second = ok(patient.post("/bookings", {"slot_id": later[0]["id"], "time_zone": "Europe/Moscow"}), 201)
    yookassa.decide(ok(patient.post(f"/bookings/{second['id']}/payment"))["payment_id"], "pay")
    third = ok(other_patient.post("/bookings", {"slot_id": later[1]["id"]}), 201)
    ok(other_patient.post(f"/bookings/{third['id']}/cancel"))
    fourth = ok(other_patient.post("/bookings", {"slot_id": later[2]["id"]}), 201)
    yookassa.decide(ok(other_patient.post(f"/bookings/{fourth['id']}/payment"))["payment_id"], "pay")
    ok(other_patient.get(f"/bookings/{fourth['id']}"))
    ok(registrar.post(f"/bookings/{fourth['id']}/reschedule", {"slot_id": later[3]["id"]}))  # moved, then refunded
    ok(registrar.post(f"/bookings/{fourth['id']}/refund"))

    # Documents: upload, check, list with links (its patient, its doctor).
    form = ok(
        patient.post(
            f"/bookings/{second['id']}/attachments",
            {"filename": "анализы.pdf", "content_type": "application/pdf", "size": len(PDF)},
        ),
        201,
    )
    sent = requests.post(
        form["url"], data=form["fields"], files={"file": ("анализы.pdf", PDF, "application/pdf")}, timeout=10
    )
    assert sent.status_code in (200, 201, 204), sent.text
    ok(patient.post(f"/bookings/{second['id']}/attachments/{form['attachment_id']}/complete"))
    for api in (patient, doctor):
        assert ok(api.get(f"/bookings/{second['id']}/attachments")), "the checked file is listed"

    Clock(dt.datetime.fromisoformat(second["starts_at"]) + dt.timedelta(minutes=1))
    for api, login in (
        (patient, "anna@example.org"),
        (doctor, "orlova@example.org"),
        (registrar, "registrar@example.org"),
        (admin, "admin@example.org"),
    ):
        ok(api.login(login))  # the clock moved on: sessions begin again
    ok(doctor.call("PUT", f"/bookings/{second['id']}/conclusion", SECTIONS))
    ok(doctor.get(f"/bookings/{second['id']}/conclusion"))
    seen = ok(patient.get(f"/bookings/{second['id']}"))
    # Its room at the opening (what the booking timer does): a new link, the doctor's end and his undo.
    from chalicelib.storage import rooms as room_store

    assert room_store.set_room_status(seen["room_id"], "lobby", ("scheduled",))
    ok(patient.post(f"/bookings/{second['id']}/room-link"))
    ok(doctor.post(f"/rooms/{seen['room_id']}/end"))
    ok(doctor.post(f"/rooms/{seen['room_id']}/reopen"))
    # The waiting queue: the patient in the lobby (by session), the doctor's queue with the row, the patient leaving.
    ok(patient.call("PUT", f"/rooms/{seen['room_id']}/waiting", {"camera": "yes", "microphone": "no"}))
    assert ok(doctor.get("/doctor/waiting"))[0]["room_id"] == seen["room_id"]
    ok(patient.call("DELETE", f"/rooms/{seen['room_id']}/waiting"), 204)
    # A guest in the call: invited, sent again 5 minutes on, revoked; invited again and removed by the doctor.
    guest = {"name": "Петров Иван", "email": "ivan@example.org", "relation": "interpreter"}
    ok(patient.post(f"/bookings/{second['id']}/guest", guest))
    ok(patient.get(f"/bookings/{second['id']}/guest"))
    Clock(dt.datetime.fromisoformat(second["starts_at"]) + dt.timedelta(minutes=7))  # the guest invitation again
    ok(patient.post(f"/bookings/{second['id']}/guest/resend"))
    ok(patient.call("DELETE", f"/bookings/{second['id']}/guest"))
    ok(registrar.post(f"/bookings/{second['id']}/guest", guest))
    ok(doctor.post(f"/rooms/{seen['room_id']}/guest/remove"))
    ok(patient.post(f"/bookings/{second['id']}/cancel"))  # at its start: cancelled, no refund

    # The registry: requests, cards, credentials, a patient's bookings; the catalogue's upkeep.
    for api in (registrar, admin):
        ok(api.get("/registration-requests"))
        ok(api.get("/registration-requests?status=done"))
        ok(api.post("/patients/search", {"email": "anna@example.org"}))
        ok(api.post("/patients/find", {"q": "Петр", "limit": 1}))
        ok(api.get(f"/patients/{patient.get('/me').json['id']}/bookings"))
    ok(registrar.post(f"/registration-requests/{params['request_id']}/status", {"status": "rejected"}))
    request = ok(
        anonymous.post(
            "/registration-requests",
            {
                "full_name": "Сидоров Пётр",
                "email": "petr@example.org",
                "phone": "+7 900 111-22-33",
                "comment": "Кардиолог",
            },
        ),
        201,
    )
    ok(
        registrar.post(
            "/patients",
            {
                "full_name": "Сидоров Пётр",
                "email": "petr@example.org",
                "phone": "+7 900 111-22-33",
                "birth_date": "1980-05-01",
                "request_id": request["id"],
            },
        ),
        201,
    )
    ok(registrar.post(f"/patients/{params['user_id']}/credentials"))
    specialty = ok(registrar.post("/specialties", {"name": "Терапия", "description": "Общие вопросы"}), 201)
    ok(admin.call("PUT", f"/specialties/{specialty['id']}", {"name": "Терапия взрослых"}))
    added = ok(
        admin.post(
            "/doctors",
            {
                "email": "ivanov@example.org",
                "full_name": "Иванов Иван",
                "specialty_id": specialty["id"],
                "price": 2000,
                "duration_minutes": 20,
            },
        ),
        201,
    )
    ok(registrar.call("PUT", f"/doctors/{added['id']}", {"price": 2500, "bio": "Терапевт"}))
    ok(
        registrar.call(
            "PUT",
            f"/doctors/{added['id']}/schedule",
            {"weekly_hours": {"1": [["09:00", "12:00"]]}, "days_off": [str(dt.date.today() + dt.timedelta(days=30))]},
        )
    )
    ok(
        doctor.call(
            "PUT",
            f"/doctors/{doctor_id}/schedule",
            {"weekly_hours": {str(d): [["00:00", "23:30"]] for d in range(1, 8)}},
        )
    )
    ok(admin.post(f"/doctors/{added['id']}/signing-key"), 201)

    # «Мои данные»: the world asked for archives (the patient's and the other's); built, then the link.
    run_worker(expected=2)
    assert "download_url" in ok(patient.get(f"/me/data-exports/{params['export_id']}"))
    ok(patient.get("/me/data-exports"))
    # SMS reminders: on with a mobile number, off in one click.
    ok(patient.call("PUT", "/me/sms-reminders", {"enabled": True, "phone": "+7 912 345-67-89"}))
    ok(patient.get("/me/sms-reminders"))
    ok(patient.call("PUT", "/me/sms-reminders", {"enabled": False}))

    # Passwords: a reset by email, a change, signing out.
    ok(anonymous.post("/auth/password-reset", {"email": "boris@example.org"}), 202)
    reset = next(m for m in outbox() if "/reset-password" in m["text"])
    ok(anonymous.post("/auth/password-reset/check", {"token": link_token(reset["text"], "/reset-password")}))
    ok(
        anonymous.post(
            "/auth/password-reset/confirm",
            {"token": link_token(reset["text"], "/reset-password"), "new_password": "a brand new one 42"},
        ),
        204,
    )
    boris = signed_in(client, "boris@example.org", "a brand new one 42")
    ok(boris.post("/me/password", {"current_password": "a brand new one 42", "new_password": "and another 43"}), 204)
    ok(boris.post("/auth/logout"), 204)

    # The webhook answered YooKassa in every payment above; once more for an event nobody asked for.
    ok(
        client.http.post(
            "/payments/yookassa/webhook",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"type": "notification", "event": "deal.closed", "object": {"id": "x"}}).encode(),
        )
    )

    # Lists without parameters that nothing above asked for (routes added later: the mail desks...),
    # by whoever may read them.
    for path, methods in sorted(contract.doc["paths"].items()):
        if "get" in methods and "{" not in path and ("GET", path) not in contract.checked:
            for api in everyone:
                if api.get(path).status_code == 200:
                    break

    contract.assert_clean()
    answered = {(method.upper(), path) for path, methods in contract.doc["paths"].items() for method in methods}
    assert answered - contract.checked == set(), "operations this test never answered with a 2xx"


def test_every_response_object_is_closed(client) -> None:
    """Each object schema in every response admits only its own fields, unless it says it is an open map."""
    from tests.contract import fetch_document

    doc = fetch_document(client)
    open_objects: list[str] = []
    seen: set[str] = set()

    def walk(schema: Any, where: str) -> None:
        if isinstance(schema, dict) and "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:  # every component a response uses (a request's may be open: extras are ignored)
                seen.add(name)
                walk(doc["components"]["schemas"][name], f"components/{name}")
            return
        if isinstance(schema, list):
            for i, item in enumerate(schema):
                walk(item, f"{where}/{i}")
            return
        if not isinstance(schema, dict):
            return
        if schema.get("type") == "object" or "properties" in schema:
            if schema.get("additionalProperties") is None:
                open_objects.append(where)
            elif schema["additionalProperties"] is not False and not schema.get("description"):
                open_objects.append(f"{where} (open without saying why)")
        for key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            if key in schema:
                walk(schema[key], f"{where}/{key}")
        for name, sub in (schema.get("properties") or {}).items():
            walk(sub, f"{where}/{name}")

    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            for status, response in op["responses"].items():
                for _media, content in (response.get("content") or {}).items():
                    walk(content.get("schema"), f"{method.upper()} {path} {status}")
    assert open_objects == []
    assert {"Booking", "Cancellation", "Error"} <= seen


def test_an_undeclared_field_is_caught() -> None:
    from chalicelib.web.openapi import document

    doc = {
        "paths": {
            "/x/{id}": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "properties": {
                                            "id": {"type": "string"},
                                            "at": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                                        },
                                    }
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": document({})["components"],
    }
    checker = Contract(doc)
    assert checker.problems("GET", "/x/1", 200, "application/json", {"id": "1", "at": None}) == []
    found = checker.problems("GET", "/x/1?y=2", 200, "application/json", {"id": "1", "s3_key": "k"})
    assert len(found) == 1 and "s3_key" in found[0]
    assert checker.error_problems("GET", "/x/1", 404, {"error": {"code": "not_found", "message": "Нет"}}) == []
    leaked = checker.error_problems(
        "GET", "/x/1", 500, {"error": {"code": "internal_error", "message": "Сбой", "trace": "Traceback..."}}
    )
    assert len(leaked) == 1 and "trace" in leaked[0]
