"""Every route × every kind of caller, from the app's own route table: nothing leaks.

The expectations are written here by hand, per route; a route added to the app without
an entry fails the test. "deny" means 401 `not_signed_in`, 403 `forbidden`, or 404 `not_found` where a
record is hidden from strangers; anything else (2xx, a validation error, a business
409...) means the caller was let through to the route's logic.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.api.conftest import free_slots, sign_documents
from tests.helpers import Api, Clock, make_user

ACTORS = ("anonymous", "patient", "other_patient", "doctor", "other_doctor", "registrar", "admin")
ALL = {a: "allow" for a in ACTORS}
SIGNED = {**ALL, "anonymous": "deny"}


def only(*allowed: str) -> dict[str, str]:
    return {a: ("allow" if a in allowed else "deny") for a in ACTORS}


PATIENTS = only("patient", "other_patient")
DOCTORS = only("doctor", "other_doctor")
STAFF = only("registrar", "admin")
ADMIN = only("admin")

EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/health"): ALL, ("GET", "/openapi.json"): ALL, ("GET", "/dev/outbox"): ALL,
    ("POST", "/auth/login"): ALL, ("POST", "/auth/password-reset"): ALL,
    ("POST", "/auth/password-reset/confirm"): ALL, ("POST", "/registration-requests"): ALL,
    ("POST", "/payments/yookassa/webhook"): ALL, ("POST", "/conclusions/verify"): ALL,
    ("POST", "/network-check"): ALL, ("GET", "/specialties"): ALL, ("GET", "/doctors"): ALL,
    ("GET", "/doctors/{doctor_id}"): ALL, ("GET", "/doctors/{doctor_id}/slots"): ALL,
    ("POST", "/auth/logout"): SIGNED, ("GET", "/me"): SIGNED, ("POST", "/me/password"): SIGNED,
    ("GET", "/legal-documents"): SIGNED,
    # Staff have no list of their own here; they look a patient's bookings up by the booking.
    ("GET", "/bookings"): only("patient", "other_patient", "doctor", "other_doctor"),
    ("GET", "/bookings/{booking_id}"): only("patient", "doctor", "registrar", "admin"),
    ("POST", "/bookings/{booking_id}/cancel"): only("patient", "registrar", "admin"),
    ("POST", "/bookings/{booking_id}/refund"): STAFF,
    ("POST", "/bookings/{booking_id}/payment"): only("patient"),
    ("POST", "/bookings/{booking_id}/attachments"): only("patient"),
    ("POST", "/bookings/{booking_id}/attachments/{attachment_id}/complete"): only("patient"),
    ("GET", "/bookings/{booking_id}/attachments"): only("patient", "doctor"),
    ("GET", "/bookings/{booking_id}/conclusion"): only("doctor"),
    ("PUT", "/bookings/{booking_id}/conclusion"): only("doctor"),
    ("POST", "/bookings/{booking_id}/conclusion"): only("doctor"),
    ("GET", "/bookings/{booking_id}/conclusion/pdf"): only("patient", "doctor"),
    ("POST", "/bookings"): PATIENTS,
    ("POST", "/consents"): PATIENTS, ("GET", "/consents"): PATIENTS,
    ("GET", "/consents/{consent_id}"): only("patient"), ("GET", "/consents/{consent_id}/pdf"): only("patient"),
    ("POST", "/consents/{consent_id}/withdraw"): only("patient"),
    ("GET", "/doctor/consultations"): DOCTORS,
    ("PUT", "/doctors/{doctor_id}/schedule"): only("doctor", "registrar", "admin"),
    ("POST", "/doctors"): STAFF, ("PUT", "/doctors/{doctor_id}"): STAFF,
    ("POST", "/doctors/{doctor_id}/signing-key"): ADMIN, ("GET", "/audit"): ADMIN,
    ("POST", "/patients"): STAFF, ("GET", "/patients"): STAFF, ("POST", "/patients/{user_id}/credentials"): STAFF,
    ("GET", "/patients/{user_id}/bookings"): STAFF,
    ("GET", "/registration-requests"): STAFF, ("POST", "/registration-requests/{request_id}/status"): STAFF,
    ("POST", "/specialties"): STAFF, ("PUT", "/specialties/{specialty_id}"): STAFF,
    ("GET", "/rooms/{room_id}"): only("patient", "doctor"),
}

BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/auth/login"): {"login": "nobody@example.org", "password": "wrong password"},
    ("POST", "/me/password"): {"current_password": "not the password", "new_password": "whatever it is 1"},
    ("POST", "/bookings/{booking_id}/attachments"): {"filename": "a.pdf", "content_type": "application/pdf",
                                                    "size": 100},
    ("PUT", "/bookings/{booking_id}/conclusion"): {"conclusion": "Черновик"},
    ("POST", "/bookings/{booking_id}/conclusion"): {"conclusion": "Заключение"},
    ("PUT", "/doctors/{doctor_id}/schedule"): {"weekly_hours": {"1": [["09:00", "10:00"]]}},
}


@pytest.fixture
def world(client, staff: Api, doctor: dict, patient: Api, yookassa) -> dict[str, Any]:
    from chalicelib.accounts import passwords
    from chalicelib.storage import accounts as store

    make_user("admin@example.org", {"admin"})
    make_user("boris@example.org", {"patient"})
    make_user("other.doctor@example.org", {"doctor"})
    # Re-sending credentials resets a password: it gets a person of its own.
    reissued = make_user("reissued@example.org", {"patient"})
    other = Api(client)
    other.login("boris@example.org")
    sign_documents(other)
    admin = Api(client)
    admin.login("admin@example.org")
    admin.post(f"/doctors/{doctor['id']}/signing-key")
    user = store.user_by_login("orlova@example.org")
    store.set_password(user, passwords.hash_password("correct horse battery"), must_change=False,
                       temporary_until=None, changed_at=user.created_at)
    slot = free_slots(patient, doctor["id"])[1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    booking = patient.get(f"/bookings/{booking['id']}").json
    attachment = patient.post(f"/bookings/{booking['id']}/attachments",
                              {"filename": "a.pdf", "content_type": "application/pdf", "size": 100}).json
    request = Api(client).post("/registration-requests", {"full_name": "Заявка Тестовая", "email": "req@example.org",
                                                          "phone": "+7 900 000-00-00"}).json
    Clock(dt.datetime.fromisoformat(booking["starts_at"]) + dt.timedelta(minutes=1))
    signer = Api(client)
    signer.login("orlova@example.org")
    assert signer.post(f"/bookings/{booking['id']}/conclusion", {"conclusion": "Здоров."}).status_code == 201
    patient.login("anna@example.org")
    return {
        "logins": {"patient": "anna@example.org", "other_patient": "boris@example.org",
                   "doctor": "orlova@example.org", "other_doctor": "other.doctor@example.org",
                   "registrar": "registrar@example.org", "admin": "admin@example.org"},
        "params": {"booking_id": booking["id"], "attachment_id": attachment["attachment_id"],
                   "consent_id": patient.get("/consents").json[0]["id"], "doctor_id": doctor["id"],
                   "specialty_id": doctor["specialty"]["id"], "user_id": reissued.user_id,
                   "request_id": request["id"], "room_id": booking["room_id"]},
    }


def error_code(response: Any) -> str | None:
    body = response.json
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


def outcome(response: Any) -> str:
    code = error_code(response)
    if (response.status_code == 401 and code == "not_signed_in") or (response.status_code == 403 and code == "forbidden") or \
            (response.status_code == 404 and code == "not_found"):
        return "deny"
    return "allow"


def test_every_route_has_an_entry() -> None:
    from app import app

    present = {(method, path) for path, methods in app.routes.items() for method in methods}
    assert present == set(EXPECTED), {"missing": present - set(EXPECTED), "stale": set(EXPECTED) - present}


def test_authorization_matrix(client, world: dict[str, Any]) -> None:
    from app import app

    mismatches = []
    for path, methods in sorted(app.routes.items()):
        for method in methods:
            concrete = path.format(**world["params"])
            body = BODIES.get((method, path), {} if method in ("POST", "PUT") else None)
            headers = {"Content-Type": "application/pdf"} if path == "/conclusions/verify" else (
                {"Content-Type": "application/octet-stream"} if path == "/network-check" else None)
            for actor in ACTORS:
                api = Api(client)
                if actor != "anonymous":
                    assert api.login(world["logins"][actor]).status_code == 200, actor
                if headers:
                    response = client.http.post(concrete, headers={**headers, **({"Cookie": api.cookie}
                                                                                 if api.cookie else {})},
                                                body=b"%PDF-1.4 test")
                    response.json = json.loads(response.body) if response.body else None
                else:
                    response = api.call(method, concrete, body)
                got, wanted = outcome(response), EXPECTED[(method, path)][actor]
                if got != wanted:
                    mismatches.append(f"{method} {path} as {actor}: expected {wanted}, got {response.status_code} "
                                      f"{error_code(response) or ''}")
    assert mismatches == []
