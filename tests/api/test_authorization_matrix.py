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
# Callers whose expectations follow from the table above:
# - a person holding two roles (patient and doctor) who is neither this patient nor this doctor: two roles
#   never add up to another person's records, so they get what the other patient or the other doctor gets;
# - a person whose session is still on the temporary password from the email: only the routes that replace
#   it, and the public ones that do not look at the session.
DERIVED_ACTORS = ("patient_doctor", "must_change")
# Public routes that do look at the session (the doctor, and the patient without the link, enter a room by it).
PUBLIC_BY_SESSION = {
    ("GET", "/rooms/{room_id}"),
    ("PUT", "/rooms/{room_id}/waiting"),
    ("DELETE", "/rooms/{room_id}/waiting"),
}


def only(*allowed: str) -> dict[str, str]:
    return {a: ("allow" if a in allowed else "deny") for a in ACTORS}


PATIENTS = only("patient", "other_patient")
DOCTORS = only("doctor", "other_doctor")
STAFF = only("registrar", "admin")
ADMIN = only("admin")

EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/health"): ALL,
    ("GET", "/openapi.json"): ALL,
    ("GET", "/dev/outbox"): ALL,
    ("POST", "/auth/login"): ALL,
    ("POST", "/auth/password-reset"): ALL,
    ("POST", "/auth/password-reset/confirm"): ALL,
    ("POST", "/auth/password-reset/check"): ALL,
    ("GET", "/clinic"): ALL,
    ("POST", "/registration-requests"): ALL,
    ("POST", "/payments/yookassa/webhook"): ALL,
    ("POST", "/conclusions/verify"): ALL,
    ("POST", "/network-check"): ALL,
    ("GET", "/specialties"): ALL,
    ("GET", "/doctors"): ALL,
    ("GET", "/doctors/{doctor_id}"): ALL,
    ("GET", "/doctors/{doctor_id}/slots"): ALL,
    ("POST", "/auth/logout"): SIGNED,
    ("GET", "/me"): SIGNED,
    ("GET", "/session"): ALL,
    ("POST", "/me/password"): SIGNED,
    ("GET", "/legal-documents"): SIGNED,
    # Staff have no list of their own here; they look a patient's bookings up by the booking.
    ("GET", "/bookings"): only("patient", "other_patient", "doctor", "other_doctor"),
    ("GET", "/bookings/{booking_id}"): only("patient", "doctor", "registrar", "admin"),
    ("POST", "/bookings/{booking_id}/cancel"): only("patient", "registrar", "admin"),
    ("POST", "/bookings/{booking_id}/reschedule"): only("patient", "registrar", "admin"),
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
    ("POST", "/consents"): PATIENTS,
    ("POST", "/legal-documents/signatures"): PATIENTS,
    ("GET", "/consents"): PATIENTS,
    ("GET", "/consents/{consent_id}"): only("patient"),
    ("GET", "/consents/{consent_id}/pdf"): only("patient"),
    ("GET", "/consents/{consent_id}/withdrawal"): only("patient"),
    ("POST", "/consents/{consent_id}/withdraw"): only("patient"),
    # «Мои данные»: a patient's own archives; another patient's is not found, staff have none.
    ("POST", "/me/data-exports"): PATIENTS,
    ("GET", "/me/data-exports"): PATIENTS,
    ("GET", "/me/data-exports/{export_id}"): only("patient"),
    ("GET", "/me/sms-reminders"): PATIENTS,
    ("PUT", "/me/sms-reminders"): PATIENTS,
    ("GET", "/doctor/consultations"): DOCTORS,
    ("PUT", "/doctors/{doctor_id}/schedule"): only("doctor", "registrar", "admin"),
    ("POST", "/doctors"): STAFF,
    ("PUT", "/doctors/{doctor_id}"): STAFF,
    ("POST", "/doctors/{doctor_id}/signing-key"): ADMIN,
    ("GET", "/audit"): ADMIN,
    ("POST", "/patients"): STAFF,
    ("POST", "/patients/search"): STAFF,
    ("POST", "/patients/find"): STAFF,
    ("POST", "/patients/{user_id}/credentials"): STAFF,
    ("GET", "/patients/{user_id}/bookings"): STAFF,
    ("GET", "/registration-requests"): STAFF,
    ("POST", "/registration-requests/{request_id}/status"): STAFF,
    ("POST", "/specialties"): STAFF,
    ("PUT", "/specialties/{specialty_id}"): STAFF,
    ("GET", "/rooms/{room_id}"): only("patient", "doctor"),
    ("POST", "/rooms/{room_id}/end"): only("doctor"),
    ("POST", "/rooms/{room_id}/reopen"): only("doctor"),
    # The waiting queue: the room's patient reports from the lobby (the doctor is refused); the doctor reads his own.
    ("PUT", "/rooms/{room_id}/waiting"): only("patient"),
    ("DELETE", "/rooms/{room_id}/waiting"): only("patient"),
    ("GET", "/doctor/waiting"): DOCTORS,
    # The link goes to the patient's own email: the patient, or staff for the patient (not the doctor).
    ("POST", "/bookings/{booking_id}/room-link"): only("patient", "registrar", "admin"),
    # The guest in the call: invited, sent again and revoked by the patient or staff; removed by the doctor.
    ("GET", "/bookings/{booking_id}/guest"): only("patient", "registrar", "admin"),
    ("POST", "/bookings/{booking_id}/guest"): only("patient", "registrar", "admin"),
    ("POST", "/bookings/{booking_id}/guest/resend"): only("patient", "registrar", "admin"),
    ("DELETE", "/bookings/{booking_id}/guest"): only("patient", "registrar", "admin"),
    ("POST", "/rooms/{room_id}/guest/remove"): only("doctor"),
    ("GET", "/inbound-mail"): STAFF,
    ("GET", "/outbox/failed"): ADMIN,
    ("POST", "/admin/reconciliations"): ADMIN,
    ("GET", "/admin/reconciliations"): ADMIN,
}

BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/auth/login"): {"login": "nobody@example.org", "password": "wrong password"},
    ("POST", "/me/password"): {"current_password": "not the password", "new_password": "whatever it is 1"},
    ("POST", "/bookings/{booking_id}/attachments"): {
        "filename": "a.pdf",
        "content_type": "application/pdf",
        "size": 100,
    },
    ("PUT", "/bookings/{booking_id}/conclusion"): {"conclusion": "Черновик"},
    ("POST", "/bookings/{booking_id}/conclusion"): {"conclusion": "Заключение"},
    ("PUT", "/doctors/{doctor_id}/schedule"): {"weekly_hours": {"1": [["09:00", "10:00"]]}},
    ("POST", "/bookings/{booking_id}/reschedule"): {"slot_id": "nodoctor_20260101T090000Z"},
    ("POST", "/patients/search"): {"email": "anna@example.org"},
    ("POST", "/patients/find"): {"q": "Петр"},
    ("PUT", "/rooms/{room_id}/waiting"): {"camera": "yes", "microphone": "yes", "network_kbps": 2000},
    ("POST", "/bookings/{booking_id}/guest"): {"name": "Петров Иван", "email": "i@example.org", "relation": "relative"},
}


@pytest.fixture
def world(client, staff: Api, doctor: dict, patient: Api, yookassa) -> dict[str, Any]:
    from chalicelib.accounts import passwords
    from chalicelib.storage import accounts as store

    make_user("admin@example.org", {"admin"})
    make_user("boris@example.org", {"patient"})
    make_user("temporary@example.org", {"patient"}, must_change=True)
    make_user("both@example.org", {"patient", "doctor"})
    # Re-sending credentials resets a password: it gets a person of its own.
    reissued = make_user("reissued@example.org", {"patient"})
    other = Api(client)
    other.login("boris@example.org")
    sign_documents(other)
    both = Api(client)
    both.login("both@example.org")
    sign_documents(both)
    admin = Api(client)
    admin.login("admin@example.org")
    admin.post(f"/doctors/{doctor['id']}/signing-key")
    other_doctor = staff.post(
        "/doctors",
        {
            "email": "other.doctor@example.org",
            "full_name": "Зуев Олег Петрович",
            "specialty_id": doctor["specialty"]["id"],
            "price": 3500,
            "duration_minutes": 30,
            "bio": "Кардиолог",
        },
    ).json
    assert (
        staff.call(
            "PUT",
            f"/doctors/{other_doctor['id']}/schedule",
            {"weekly_hours": {str(d): [["00:00", "23:30"]] for d in range(1, 8)}},
        ).status_code
        == 200
    )
    for login in ("orlova@example.org", "other.doctor@example.org"):
        user = store.user_by_login(login)
        store.set_password(
            user,
            passwords.hash_password("correct horse battery"),
            must_change=False,
            temporary_until=None,
            changed_at=user.created_at,
        )
    # The other world: the other patient's paid booking with the other doctor, with a file of its own.
    theirs = other.post("/bookings", {"slot_id": free_slots(other, other_doctor["id"])[1]["id"]}).json
    yookassa.decide(other.post(f"/bookings/{theirs['id']}/payment").json["payment_id"], "pay")
    theirs = other.get(f"/bookings/{theirs['id']}").json
    their_file = other.post(
        f"/bookings/{theirs['id']}/attachments", {"filename": "b.pdf", "content_type": "application/pdf", "size": 100}
    ).json
    their_consent = next(c for c in other.get("/consents").json if c["withdrawable"])["id"]
    slot = free_slots(patient, doctor["id"])[1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    booking = patient.get(f"/bookings/{booking['id']}").json
    attachment = patient.post(
        f"/bookings/{booking['id']}/attachments", {"filename": "a.pdf", "content_type": "application/pdf", "size": 100}
    ).json
    request = (
        Api(client)
        .post(
            "/registration-requests",
            {"full_name": "Заявка Тестовая", "email": "req@example.org", "phone": "+7 900 000-00-00"},
        )
        .json
    )
    Clock(dt.datetime.fromisoformat(booking["starts_at"]) + dt.timedelta(minutes=1))
    signer = Api(client)
    signer.login("orlova@example.org")
    assert signer.post(f"/bookings/{booking['id']}/conclusion", {"conclusion": "Здоров."}).status_code == 201
    patient.login("anna@example.org")
    other.login("boris@example.org")  # the clock moved past the session's idle limit
    export, their_export = patient.post("/me/data-exports"), other.post("/me/data-exports")
    assert export.status_code == their_export.status_code == 202, (export.json, their_export.json)
    return {
        "logins": {
            "patient": "anna@example.org",
            "other_patient": "boris@example.org",
            "doctor": "orlova@example.org",
            "other_doctor": "other.doctor@example.org",
            "registrar": "registrar@example.org",
            "admin": "admin@example.org",
            "patient_doctor": "both@example.org",
            "must_change": "temporary@example.org",
        },
        "params": {
            "booking_id": booking["id"],
            "attachment_id": attachment["attachment_id"],
            "consent_id": next(c for c in patient.get("/consents").json if c["withdrawable"])["id"],
            "doctor_id": doctor["id"],
            "specialty_id": doctor["specialty"]["id"],
            "user_id": reissued.user_id,
            "request_id": request["id"],
            "room_id": booking["room_id"],
            "export_id": export.json["id"],
        },
        "theirs": {
            "booking_id": theirs["id"],
            "attachment_id": their_file["attachment_id"],
            "consent_id": their_consent,
            "room_id": theirs["room_id"],
            "export_id": their_export.json["id"],
        },
        "people": {
            login: store.user_by_login(login).user_id
            for login in ("admin@example.org", "orlova@example.org", "registrar@example.org", "both@example.org")
        },
    }


def expected(method: str, path: str, actor: str) -> str:
    row = EXPECTED[(method, path)]
    if actor == "patient_doctor":
        return "allow" if "allow" in (row["other_patient"], row["other_doctor"]) else "deny"
    if actor == "must_change":
        from chalicelib.web.routing import ROUTES

        spec = next(r for r in ROUTES if (r.method, r.path) == (method, path))
        if spec.access.during_password_change:
            return "allow"
        return "allow" if spec.access.label == "anyone" and (method, path) not in PUBLIC_BY_SESSION else "deny"
    return row[actor]


def error_code(response: Any) -> str | None:
    body = response.json
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


def outcome(response: Any) -> str:
    code = error_code(response)
    if (
        (response.status_code == 401 and code == "not_signed_in")
        or (response.status_code == 403 and code in ("forbidden", "password_change_required", "staff_account"))
        or (response.status_code == 404 and code == "not_found")
    ):
        return "deny"
    return "allow"


def test_every_route_has_an_entry() -> None:
    from app import app

    present = {(method, path) for path, methods in app.routes.items() for method in methods}
    assert present == set(EXPECTED), {"missing": present - set(EXPECTED), "stale": set(EXPECTED) - present}


def attempt(
    client,
    world: dict[str, Any],
    actor: str,
    method: str,
    path: str,  # type: ignore[no-untyped-def]
    params: dict[str, str],
) -> Any:
    """One call of the route, as `actor`, with the path's ids taken from `params`."""
    concrete = path.format(**params)
    body = BODIES.get((method, path), {} if method in ("POST", "PUT") else None)
    headers = (
        {"Content-Type": "application/pdf"}
        if path == "/conclusions/verify"
        else ({"Content-Type": "application/octet-stream"} if path == "/network-check" else None)
    )
    api = Api(client)
    if actor != "anonymous":
        assert api.login(world["logins"][actor]).status_code == 200, actor
    if headers:
        response = client.http.post(
            concrete, headers={**headers, **({"Cookie": api.cookie} if api.cookie else {})}, body=b"%PDF-1.4 test"
        )
        response.json = json.loads(response.body) if response.body else None
        return response
    return api.call(method, concrete, body)


def routes() -> list[tuple[str, str]]:
    from app import app

    return sorted((method, path) for path, methods in app.routes.items() for method in methods)


def test_authorization_matrix(client, world: dict[str, Any]) -> None:
    mismatches = []
    for method, path in routes():
        for actor in ACTORS + DERIVED_ACTORS:
            response = attempt(client, world, actor, method, path, world["params"])
            got, wanted = outcome(response), expected(method, path, actor)
            if got != wanted:
                mismatches.append(
                    f"{method} {path} as {actor}: expected {wanted}, got {response.status_code} "
                    f"{error_code(response) or ''}"
                )
    assert mismatches == []


# Ids that name one person's records. Each is put, alone, into a path whose other ids are this patient's.
PERSONAL_IDS = ("booking_id", "attachment_id", "consent_id", "room_id", "export_id")


def test_another_persons_id_in_any_part_of_the_path_is_refused(client, world: dict[str, Any]) -> None:
    """Patient B's booking with patient A's file, A's booking with B's file, another doctor's booking,
    another patient's consent or room: whoever may use the route on their own records is refused."""
    mismatches, tried = [], 0
    for method, path in routes():
        for name in PERSONAL_IDS:
            if "{" + name + "}" not in path:
                continue
            mixed = {**world["params"], name: world["theirs"][name]}
            for actor in ("patient", "doctor", "patient_doctor"):
                if expected(method, path, actor) != "allow" or EXPECTED[(method, path)] == ALL:
                    continue
                tried += 1
                response = attempt(client, world, actor, method, path, mixed)
                if outcome(response) != "deny":
                    mismatches.append(
                        f"{method} {path} with another person's {name} as {actor}: "
                        f"{response.status_code} {error_code(response) or ''}"
                    )
    assert tried >= 15
    assert mismatches == []


def test_staff_act_on_patients_not_on_higher_privileged_people(client, world: dict[str, Any]) -> None:
    """Every route that names a person. A registrar is refused for an admin, a doctor and themself; for a
    patient who is also a doctor, a registrar may read (their bookings as a patient) but not change the
    account (credentials would end a doctor's sessions). An admin may do both."""
    people = world["people"]
    mismatches = []
    for method, path in routes():
        if "{user_id}" not in path:
            continue
        wanted = {
            ("registrar", "admin@example.org"): "deny",
            ("registrar", "orlova@example.org"): "deny",
            ("registrar", "registrar@example.org"): "deny",
            ("registrar", "both@example.org"): "allow" if method == "GET" else "deny",
            ("admin", "both@example.org"): "allow",
        }
        for (actor, target), want in wanted.items():
            response = attempt(client, world, actor, method, path, {**world["params"], "user_id": people[target]})
            if outcome(response) != want:
                mismatches.append(
                    f"{method} {path} as {actor} on {target}: expected {want}, got "
                    f"{response.status_code} {error_code(response) or ''}"
                )
    assert mismatches == []


def test_a_room_by_its_link_only(client, world: dict[str, Any]) -> None:
    """The link's token opens its own room and no other; a wrong, another room's or a spent link does not."""
    from chalicelib.scheduling.times import from_key
    from chalicelib.storage import rooms as room_store
    from tests.helpers import outbox

    def link_token(room_id: str) -> str:
        import re

        found = (re.search(r"/room/" + room_id + r"#token=([A-Za-z0-9_-]+)", m["text"]) for m in outbox())
        return next(f.group(1) for f in found if f)

    mine, theirs = world["params"]["room_id"], world["theirs"]["room_id"]
    my_token, their_token = link_token(mine), link_token(theirs)

    def by_link(room_id: str, token: str) -> Any:
        return Api(client).get(f"/rooms/{room_id}", headers={"X-Room-Token": token})

    assert by_link(mine, my_token).status_code == 200
    assert by_link(mine, my_token).json["role"] == "patient"
    for room_id, token in (
        (mine, their_token),
        (theirs, my_token),
        (mine, my_token[:-1]),
        (mine, ""),
        (mine, "x" * 129),
        ("no-such-room", my_token),
    ):
        answer = by_link(room_id, token)
        assert outcome(answer) == "deny" or answer.status_code == 400, (room_id, token[:6], answer.status_code)
    # After the room has closed the link is spent: it says so (410), and shows nothing of the room.
    room = room_store.get_room(mine)
    Clock(from_key(room.closes_at) + dt.timedelta(seconds=1))
    spent = by_link(mine, my_token)
    assert spent.status_code == 410 and spent.json["error"]["code"] == "room_closed"
    assert set(spent.json) == {"error"}
