"""Contract and consent, schedules and slots, and the hold that is never double-booked."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from zoneinfo import ZoneInfo

import pytest

from chalicelib.devtools.aws_calls import recording
from tests.api.conftest import another_patient, free_slots, sign_documents
from tests.helpers import Api, Clock, make_user, set_own_password

# Contract and consent --------------------------------------------------------------


def test_documents_are_filled_with_the_patient_and_hashed(client) -> None:
    make_user("anna@example.org", {"patient"}, full_name="Петрова Анна Викторовна")
    patient = Api(client)
    patient.login("anna@example.org")
    docs = {d["kind"]: d for d in patient.get("/legal-documents").json}
    assert set(docs) == {"contract", "consent", "informed_consent", "marketing"}
    assert "Петрова Анна Викторовна" in docs["contract"]["html"]
    consent = docs["consent"]
    assert "152-ФЗ" in consent["html"] and "состоянии здоровья" in consent["html"]
    assert "отозвать" in consent["html"].lower()
    assert consent["sha256"] == hashlib.sha256(consent["html"].encode()).hexdigest()
    assert not consent["signed"]


def test_signature_records_version_hash_time_ip_and_agent(client) -> None:
    make_user("anna@example.org", {"patient"})
    patient = Api(client)
    patient.login("anna@example.org")
    doc = patient.get("/legal-documents").json[0]
    changed = patient.post("/consents", {"kind": doc["kind"], "version": doc["version"], "sha256": "0" * 64})
    assert changed.status_code == 409 and changed.json["error"]["code"] == "document_changed"
    outdated = patient.post("/consents", {"kind": doc["kind"], "version": "0", "sha256": doc["sha256"]})
    assert outdated.status_code == 409 and outdated.json["error"]["code"] == "document_outdated"
    signed = patient.post(
        "/consents",
        {"kind": doc["kind"], "version": doc["version"], "sha256": doc["sha256"]},
        headers={"User-Agent": "Mozilla/5.0 Test"},
    )
    assert signed.status_code == 201
    record = signed.json
    assert record["sha256"] == doc["sha256"] and record["version"] == doc["version"]
    assert record["ip"] and record["user_agent"] == "Mozilla/5.0 Test" and record["signed_at"]
    copy = patient.get(f"/consents/{record['id']}").json
    assert copy["html"] == doc["html"]
    assert (
        patient.post("/consents", {"kind": doc["kind"], "version": doc["version"], "sha256": doc["sha256"]}).status_code
        == 409
    )


def test_signed_copy_as_pdf_holds_the_cyrillic_text(patient: Api, tmp_path) -> None:
    [consent] = [c for c in patient.get("/consents").json if c["kind"] == "consent"]
    response = patient.get(f"/consents/{consent['id']}/pdf", headers={"Accept": "application/pdf"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.body.startswith(b"%PDF")
    path = tmp_path / "consent.pdf"
    path.write_bytes(response.body)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Согласие на обработку персональных данных" in text
    assert "Петрова Анна Викторовна" in text
    assert consent["sha256"] in text.replace("\n", "")


def test_booking_needs_every_required_signature(client, doctor: dict) -> None:
    make_user("anna@example.org", {"patient"})
    patient = Api(client)
    patient.login("anna@example.org")
    slot = free_slots(patient, doctor["id"])[0]
    refused = patient.post("/bookings", {"slot_id": slot["id"]})
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "consent_required"
    assert "Личные данные" in refused.json["error"]["message"]
    sign_documents(patient)
    assert patient.post("/bookings", {"slot_id": slot["id"]}).status_code == 201


# A new version of a document: tests/api/test_consents_law.py (a test-only manifest by configuration).


def sign_documents_unsigned(patient: Api) -> None:
    for doc in patient.get("/legal-documents").json:
        if not doc["signed"]:
            assert (
                patient.post(
                    "/consents", {"kind": doc["kind"], "version": doc["version"], "sha256": doc["sha256"]}
                ).status_code
                == 201
            )


def test_withdrawing_consent_stops_new_bookings(doctor: dict, patient: Api) -> None:
    signatures = {c["kind"]: c for c in patient.get("/consents").json}
    contract = patient.post(f"/consents/{signatures['contract']['id']}/withdraw")
    assert contract.status_code == 409 and contract.json["error"]["code"] == "not_withdrawable"
    withdrawn = patient.post(f"/consents/{signatures['consent']['id']}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json["withdrawn_at"] and not withdrawn.json["in_force"]
    slot = free_slots(patient, doctor["id"])[0]
    assert patient.post("/bookings", {"slot_id": slot["id"]}).json["error"]["code"] == "consent_required"
    sign_documents_unsigned(patient)
    assert patient.post("/bookings", {"slot_id": slot["id"]}).status_code == 201


def test_signed_copies_are_private(client, patient: Api) -> None:
    consent_id = patient.get("/consents").json[0]["id"]
    other = another_patient(client)
    assert other.get(f"/consents/{consent_id}").status_code == 404
    assert other.get(f"/consents/{consent_id}/pdf").status_code == 404
    assert other.post(f"/consents/{consent_id}/withdraw").status_code == 404


# Catalog and schedules ---------------------------------------------------------------


def test_catalog_lists_specialties_and_doctors(client, doctor: dict) -> None:
    public = Api(client)
    specialties = public.get("/specialties").json
    assert [s["name"] for s in specialties] == ["Кардиология"]
    listed = public.get(f"/doctors?specialty={specialties[0]['id']}").json
    assert listed == [{k: doctor[k] for k in listed[0]}]
    assert listed[0]["price"] == 3500 and listed[0]["duration_minutes"] == 30
    assert public.get("/doctors").json[0]["id"] == doctor["id"]


def test_only_staff_manage_the_catalog(client, patient: Api) -> None:
    assert patient.post("/specialties", {"name": "Хирургия"}).status_code == 403
    assert Api(client).post("/specialties", {"name": "Хирургия"}).status_code == 401


def test_schedule_is_the_doctors_own_or_the_registrys(client, staff: Api, doctor: dict) -> None:
    # The doctor got credentials by email; sign in with a password set here.

    set_own_password("orlova@example.org", "doctor secret 1")
    own = Api(client)
    assert own.login("orlova@example.org", "doctor secret 1").status_code == 200
    hours = {"1": [["10:00", "12:00"]]}
    assert own.call("PUT", f"/doctors/{doctor['id']}/schedule", {"weekly_hours": hours}).status_code == 200
    make_user("other.doctor@example.org", {"doctor"})
    other = Api(client)
    other.login("other.doctor@example.org")
    assert other.call("PUT", f"/doctors/{doctor['id']}/schedule", {"weekly_hours": hours}).status_code == 403
    bad = staff.call("PUT", f"/doctors/{doctor['id']}/schedule", {"weekly_hours": {"1": [["12:00", "10:00"]]}})
    assert bad.status_code == 400 and "weekly_hours" in bad.json["error"]["fields"]


def test_changing_hours_never_removes_a_held_slot(staff: Api, doctor: dict, patient: Api) -> None:
    slot = free_slots(patient, doctor["id"])[0]
    held = patient.post("/bookings", {"slot_id": slot["id"]}).json
    result = staff.call("PUT", f"/doctors/{doctor['id']}/schedule", {"weekly_hours": {}}).json
    assert result["slots"]["kept_taken"] == 1 and result["slots"]["removed"] > 0
    assert free_slots(patient, doctor["id"]) == []
    assert patient.get(f"/bookings/{held['id']}").json["status"] == "held"
    cancelled = patient.post(f"/bookings/{held['id']}/cancel")
    assert cancelled.json["status"] == "cancelled"


def test_a_schedule_of_more_consultations_than_a_doctor_can_hold_is_refused(staff: Api, doctor: dict) -> None:
    # Every hour of the week in 15-minute consultations: 665 a week, more than one doctor's 336.
    hours = {str(d): [["00:00", "23:59"]] for d in range(1, 8)}
    path = f"/doctors/{doctor['id']}"
    assert staff.call("PUT", path, {"duration_minutes": 60}).status_code == 200
    assert staff.call("PUT", f"{path}/schedule", {"weekly_hours": hours}).status_code == 200
    refused = staff.call("PUT", path, {"duration_minutes": 15})
    assert refused.status_code == 400
    message = refused.json["error"]["fields"]["duration_minutes"]
    assert "665 консультаций в неделю" in message and "не больше 336" in message
    assert staff.get(path).json["duration_minutes"] == 60

    assert staff.call("PUT", f"{path}/schedule", {"weekly_hours": {}}).status_code == 200
    assert staff.call("PUT", path, {"duration_minutes": 15}).status_code == 200
    refused = staff.call("PUT", f"{path}/schedule", {"weekly_hours": hours})
    assert refused.status_code == 400 and "665 консультаций" in refused.json["error"]["fields"]["weekly_hours"]
    assert staff.get(path).json["weekly_hours"] == {}


@pytest.fixture
def four_week_window(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from chalicelib.config import reload_settings

    monkeypatch.setenv("SLOT_WINDOW_DAYS", "28")
    reload_settings()
    yield
    monkeypatch.undo()
    reload_settings()


def _slot_days(doctor_id: str) -> list[int]:
    """Days from now of each of the doctor's slots."""
    from chalicelib.clock import now
    from chalicelib.scheduling.times import from_key, to_key
    from chalicelib.storage import slots as store

    current = now()
    found = store.slots_between(doctor_id, to_key(current), to_key(current + dt.timedelta(days=40)), consistent=True)
    return sorted((from_key(s.starts_at) - current).days for s in found)


def test_a_schedule_change_does_two_weeks_at_once_and_the_rest_from_the_queue(
    client, staff: Api, doctor: dict, four_week_window: None
) -> None:
    from chalicelib import aws
    from chalicelib.config import settings

    hours = {str(d): [["09:00", "10:00"]] for d in range(1, 8)}
    result = staff.call("PUT", f"/doctors/{doctor['id']}/schedule", {"weekly_hours": hours})
    assert result.status_code == 200, result.json
    assert result.json["slots"]["rest"] == "queued" and result.json["slots"]["days_done"] == 14
    days = _slot_days(doctor["id"])
    assert days and max(days) <= 14  # the first two weeks are bookable at once, nothing beyond yet

    [message] = aws.client("sqs").receive_message(QueueUrl=settings().timer_queue_url, MaxNumberOfMessages=10)[
        "Messages"
    ]
    event = client.events.generate_sqs_event(message_bodies=[message["Body"]], queue_name="timer-events")
    client.lambda_.invoke("timer_events", event)
    days = _slot_days(doctor["id"])
    assert max(days) >= 27
    assert len([d for d in days if d == 20]) == 2  # two half-hour slots a day, all four weeks

    # Done again (a redelivered message), nothing changes.
    before = _slot_days(doctor["id"])
    client.lambda_.invoke("timer_events", event)
    assert _slot_days(doctor["id"]) == before


def test_without_the_queue_the_rest_waits_for_the_daily_roll(
    client, staff: Api, doctor: dict, four_week_window: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import reload_settings

    monkeypatch.setenv("TIMER_QUEUE_URL", "https://sqs.eu-central-1.amazonaws.com/123456789012/no-such-queue")
    reload_settings()
    hours = {str(d): [["09:00", "10:00"]] for d in range(1, 8)}
    result = staff.call("PUT", f"/doctors/{doctor['id']}/schedule", {"weekly_hours": hours})
    assert result.status_code == 200  # the schedule is saved, the first two weeks bookable
    assert result.json["slots"]["rest"] == "daily"
    assert max(_slot_days(doctor["id"])) <= 14
    client.lambda_.invoke(
        "roll_schedules",
        client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]),
    )
    assert max(_slot_days(doctor["id"])) >= 27


def test_slots_follow_the_clinic_zone_across_dst() -> None:
    from chalicelib.scheduling.weekly import weekly_slots

    berlin = ZoneInfo("Europe/Berlin")
    slots = weekly_slots({"1": [["09:00", "10:00"]]}, set(), 30, berlin, dt.date(2027, 3, 22), days=8)
    starts = [s[0] for s, _ in zip(slots, range(4))]
    assert [s.isoformat() for s in starts] == [
        "2027-03-22T08:00:00+00:00",
        "2027-03-22T08:30:00+00:00",
        "2027-03-29T07:00:00+00:00",
        "2027-03-29T07:30:00+00:00",
    ]
    assert {s.astimezone(berlin).strftime("%H:%M") for s in starts} == {"09:00", "09:30"}


def test_a_wall_time_that_does_not_exist_makes_no_slot() -> None:
    from chalicelib.scheduling.weekly import weekly_slots

    # 28 March 2027, 02:00–03:00 does not exist in Berlin.
    slots = weekly_slots({"7": [["02:00", "04:00"]]}, set(), 30, ZoneInfo("Europe/Berlin"), dt.date(2027, 3, 28), 1)
    assert [s.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") for s, _ in slots] == ["03:00", "03:30"]


def test_slot_listing_shows_the_clinic_offset_across_dst(
    client, staff: Api, doctor: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import reload_settings

    monkeypatch.setenv("CLINIC_TIMEZONE", "Europe/Berlin")
    reload_settings()
    try:
        Clock(dt.datetime(2027, 3, 26, 12, 0, tzinfo=dt.UTC))
        staff.cookie = None
        make_user("staff2@example.org", {"registrar"})
        staff.login("staff2@example.org")
        staff.call(
            "PUT",
            f"/doctors/{doctor['id']}/schedule",
            {"weekly_hours": {"1": [["09:00", "09:30"]], "5": [["09:00", "09:30"]]}},
        )
        slots = Api(client).get(f"/doctors/{doctor['id']}/slots?from=2027-03-26&to=2027-03-29").json
        assert [s["starts_at"] for s in slots] == ["2027-03-29T09:00:00+02:00"]
        earlier = Api(client).get(f"/doctors/{doctor['id']}/slots?from=2027-03-26&to=2027-03-27").json
        assert earlier == []
    finally:
        monkeypatch.setenv("CLINIC_TIMEZONE", "Europe/Moscow")
        reload_settings()


def test_slot_range_is_validated(client, doctor: dict) -> None:
    public = Api(client)
    assert public.get(f"/doctors/{doctor['id']}/slots?from=2026-12-10&to=2026-12-01").status_code == 400
    assert public.get(f"/doctors/{doctor['id']}/slots?from=2026-12-01&to=2027-03-01").status_code == 400
    assert public.get(f"/doctors/{doctor['id']}/slots?from=tomorrow").status_code == 400


# Holds --------------------------------------------------------------------------------


def test_hold_answers_what_the_patient_must_check(doctor: dict, patient: Api) -> None:
    slot = free_slots(patient, doctor["id"])[0]
    response = patient.post("/bookings", {"slot_id": slot["id"], "time_zone": "Asia/Yekaterinburg"})
    assert response.status_code == 201
    booking = response.json
    assert booking["status"] == "held"
    assert booking["price"] == 3500 and booking["email"] == "anna@example.org"
    assert booking["starts_at"] == slot["starts_at"]
    expires = dt.datetime.fromisoformat(booking["hold_expires_at"])
    assert dt.timedelta(minutes=14) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=15)
    assert booking["patient_time_zone"] == "Asia/Yekaterinburg"
    assert slot not in free_slots(patient, doctor["id"])


def test_a_taken_slot_gives_the_nearest_free_ones(client, doctor: dict, patient: Api) -> None:
    slots = free_slots(patient, doctor["id"])
    patient.post("/bookings", {"slot_id": slots[0]["id"]})
    other = another_patient(client)
    taken = other.post("/bookings", {"slot_id": slots[0]["id"]})
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "slot_taken"
    assert [s["id"] for s in taken.json["error"]["details"]["nearest"]] == [s["id"] for s in slots[1:4]]


def test_holding_ones_own_slot_again_says_so(doctor: dict, patient: Api) -> None:
    slot = free_slots(patient, doctor["id"])[0]
    first = patient.post("/bookings", {"slot_id": slot["id"]}).json
    again = patient.post("/bookings", {"slot_id": slot["id"]})
    assert again.status_code == 409 and again.json["error"]["code"] == "slot_already_yours"
    assert again.json["error"]["details"]["booking_id"] == first["id"]


def test_an_expired_hold_is_free_at_once(client, doctor: dict, patient: Api, aws) -> None:
    clock = Clock()
    slot = free_slots(patient, doctor["id"])[-1]  # far enough ahead to outlive the clock's jumps
    first = patient.post("/bookings", {"slot_id": slot["id"]}).json
    clock.advance(minutes=14)
    other = another_patient(client)
    assert other.post("/bookings", {"slot_id": slot["id"]}).status_code == 409
    clock.advance(minutes=2)
    assert slot["id"] in [s["id"] for s in free_slots(other, doctor["id"])]
    assert other.post("/bookings", {"slot_id": slot["id"]}).status_code == 201
    assert patient.get(f"/bookings/{first['id']}").json["status"] == "expired"


def test_a_patient_holds_at_most_two(doctor: dict, patient: Api) -> None:
    slots = free_slots(patient, doctor["id"])
    first = patient.post("/bookings", {"slot_id": slots[0]["id"]}).json
    assert patient.post("/bookings", {"slot_id": slots[1]["id"]}).status_code == 201
    third = patient.post("/bookings", {"slot_id": slots[2]["id"]})
    assert third.status_code == 409 and third.json["error"]["code"] == "hold_limit"
    assert "2" in third.json["error"]["message"]
    assert patient.post(f"/bookings/{first['id']}/cancel").status_code == 200
    assert patient.post("/bookings", {"slot_id": slots[2]["id"]}).status_code == 201


def test_cancelling_a_hold_frees_the_slot_at_once(doctor: dict, patient: Api) -> None:
    slot = free_slots(patient, doctor["id"])[0]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    cancelled = patient.post(f"/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert free_slots(patient, doctor["id"])[0] == slot
    assert patient.post(f"/bookings/{booking['id']}/cancel").status_code == 409


def test_bookings_are_seen_only_by_their_people(client, staff: Api, doctor: dict, patient: Api) -> None:
    slot = free_slots(patient, doctor["id"])[0]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    assert [b["id"] for b in patient.get("/bookings").json] == [booking["id"]]
    other = another_patient(client)
    assert other.get(f"/bookings/{booking['id']}").status_code == 404
    assert other.post(f"/bookings/{booking['id']}/cancel").status_code == 404
    assert other.get("/bookings").json == []
    make_user("other.doctor@example.org", {"doctor"})
    stranger_doctor = Api(client)
    stranger_doctor.login("other.doctor@example.org")
    assert stranger_doctor.get(f"/bookings/{booking['id']}").status_code == 404
    assert staff.get(f"/bookings/{booking['id']}").status_code == 200
    assert patient.get("/bookings/no-such-booking").status_code == 404


def test_the_registry_sees_a_patients_bookings_and_the_read_is_audited(
    client, staff: Api, doctor: dict, patient: Api
) -> None:
    first, second = free_slots(patient, doctor["id"])[:2]
    older = patient.post("/bookings", {"slot_id": first["id"]}).json
    newer = patient.post("/bookings", {"slot_id": second["id"]}).json
    patient.post(f"/bookings/{older['id']}/cancel")
    card = staff.post("/patients/search", {"email": "anna@example.org"}).json
    listed = staff.get(f"/patients/{card['id']}/bookings")
    assert listed.status_code == 200
    assert [(b["id"], b["status"]) for b in listed.json] == [(newer["id"], "held"), (older["id"], "cancelled")]
    assert listed.json[0]["doctor"]["full_name"] == doctor["full_name"]
    make_user("admin@example.org", {"admin"})
    admin = Api(client)
    admin.login("admin@example.org")
    [entry] = [e for e in admin.get("/audit").json["entries"] if e["action"] == "read_patient_bookings"]
    assert (entry["actor_name"], entry["target_id"], entry["patient_id"]) == (
        "Тестовый Пользователь",
        card["id"],
        card["id"],
    )
    # Someone who is not a patient, or nobody: not found (and nothing audited for them).
    doctor_card = staff.get(f"/patients/{doctor['id']}/bookings")
    assert doctor_card.status_code == 404 and doctor_card.json["error"]["message"]
    assert staff.get("/patients/no-such-person/bookings").status_code == 404
    assert patient.get(f"/patients/{card['id']}/bookings").status_code == 403


def test_unknown_or_malformed_slots(patient: Api) -> None:
    assert patient.post("/bookings", {"slot_id": "nonsense"}).status_code == 404
    assert patient.post("/bookings", {"slot_id": "abc_20261126T090000Z"}).status_code == 404
    assert patient.post("/bookings", {}).status_code == 400


# AWS operations ------------------------------------------------------------------------


def test_request_paths_use_no_scan_and_few_operations(client, staff: Api, doctor: dict, patient: Api) -> None:
    """Every request of the booking path, counted: never a Scan; the hot ones ≤ 2 operations."""
    with recording() as calls:
        slots = free_slots(Api(client), doctor["id"], days=6)
    assert calls == ["Query"]
    with recording() as calls:
        booking = patient.post("/bookings", {"slot_id": slots[0]["id"]}).json
    assert calls == ["BatchGetItem", "TransactWriteItems"], calls
    with recording() as calls:
        patient.get("/bookings")
    assert calls == ["GetItem", "Query"], calls
    with recording() as calls:
        patient.get(f"/bookings/{booking['id']}")
        patient.post(f"/bookings/{booking['id']}/cancel")
        patient.get("/legal-documents")
        patient.get("/consents")
        Api(client).get("/specialties")
        Api(client).get("/doctors")
        staff.get("/registration-requests")
    assert "Scan" not in calls
