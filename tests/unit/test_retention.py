"""The retention schedule: its terms from configuration, and the nightly job that deletes exactly what is past them,
with an injected clock (items just inside and just outside each term)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

NOW = dt.datetime(2026, 12, 2, 1, 30, tzinfo=dt.UTC)  # the job's night (04:30 in Moscow)
SECOND = dt.timedelta(seconds=1)


def at(moment: dt.datetime) -> None:
    from chalicelib.clock import set_clock

    set_clock(lambda: moment)


# --- the schedule in configuration ---------------------------------------------------------------------------


def test_the_defaults_are_the_products_reading_of_the_law() -> None:
    from chalicelib.config import retention_schedule

    schedule = retention_schedule()
    assert str(schedule.medical_records) == "25y" and str(schedule.legal_documents) == "25y"
    assert str(schedule.payments) == "5y" and str(schedule.audit) == "5y"
    assert str(schedule.application_logs) == "1y" and str(schedule.recordings) == "none"
    assert str(schedule.registration_requests) == "30d" and str(schedule.data_exports) == "1d"


def test_terms_are_overridden_by_their_variable_or_one_json_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.config import retention_schedule

    monkeypatch.setenv("RETENTION", '{"audit": "6y", "registration_requests": "14d"}')
    monkeypatch.setenv("RETENTION_INBOUND_MAIL", "10d")
    monkeypatch.setenv("MEDICAL_RECORDS_YEARS", "30")  # the legal documents' setting of the same term
    schedule = retention_schedule()
    assert (str(schedule.audit), str(schedule.registration_requests)) == ("6y", "14d")
    assert str(schedule.inbound_mail) == "10d"
    assert str(schedule.medical_records) == "30y" and str(schedule.legal_documents) == "30y"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("RETENTION_RECORDINGS", "30d", "does not record calls"),
        ("RETENTION_AUDIT", "five years", "must be like 25y or 30d"),
        ("RETENTION_AUDIT", "none", "Only recordings"),
        ("RETENTION", '{"recordingz": "none"}', "no such kinds"),
        ("RETENTION", "{not json", "JSON object"),
        ("RETENTION_MEDICAL_RECORDS", "3y", "must not be shorter"),
    ],
)
def test_a_bad_term_stops_the_function_with_what_is_wrong(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    from chalicelib.config import SettingsError, retention_schedule

    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=says):
        retention_schedule()


def test_years_are_calendar_years() -> None:
    from chalicelib.config import Term

    assert Term(years=25).before(NOW) == dt.datetime(2001, 12, 2, 1, 30, tzinfo=dt.UTC)
    assert Term(years=1).before(dt.datetime(2028, 2, 29, tzinfo=dt.UTC)) == dt.datetime(2027, 2, 28, tzinfo=dt.UTC)
    assert Term(days=30).after(NOW) == NOW + dt.timedelta(days=30)


# --- the job -------------------------------------------------------------------------------------------------


def request(made: dt.datetime, status: str) -> Any:
    from chalicelib.storage.tables import RegistrationRequest

    item = RegistrationRequest(
        f"r-{status}-{made.timestamp()}",
        full_name="Иванов Иван",
        email="ivanov@example.org",
        phone="+79990000000",
        status=status,
        created_at=made.isoformat(),
    )
    item.save()
    return item


def stored(model: Any, *key: Any) -> bool:
    try:
        model.get(*key, consistent_read=True)
        return True
    except model.DoesNotExist:
        return False


def test_registration_requests_just_outside_the_term_go_and_a_handled_one_meanwhile_stays(aws: None) -> None:
    from chalicelib import retention
    from chalicelib.storage import retention as store
    from chalicelib.storage.tables import RegistrationRequest

    cutoff = NOW - dt.timedelta(days=30)
    outside = [request(cutoff - SECOND, status) for status in ("new", "done", "rejected")]
    inside = [request(cutoff + SECOND, status) for status in ("new", "done", "rejected")]
    # Found while new, handled before the delete: the delete is refused.
    raced = request(cutoff - 2 * SECOND, "new")
    stale = RegistrationRequest.get(raced.request_id)
    raced.update(actions=[RegistrationRequest.status.set("done")])
    assert store.delete_request(stale) is False
    assert stored(RegistrationRequest, raced.request_id)
    raced.delete()

    at(NOW)
    summary = retention.apply()
    assert summary["registration_requests"] == {"registration_requests": 3}
    assert [stored(RegistrationRequest, r.request_id) for r in outside] == [False] * 3
    assert [stored(RegistrationRequest, r.request_id) for r in inside] == [True] * 3
    assert retention.apply()["registration_requests"] == {"registration_requests": 0}


def put(key: str, body: bytes = b"x") -> None:
    from chalicelib import aws, resources

    aws.s3().put_object(Bucket=resources.documents_bucket(), Key=key, Body=body)


def keys(prefix: str) -> set[str]:
    from chalicelib import aws, resources

    answer = aws.s3().list_object_versions(Bucket=resources.documents_bucket(), Prefix=prefix)
    return {v["Key"] for v in [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]}


def test_inbound_mail_and_exports_are_deleted_for_good_after_their_days(aws: None) -> None:
    from chalicelib import aws as clients
    from chalicelib import resources, retention

    clients.s3().put_bucket_versioning(
        Bucket=resources.documents_bucket(), VersioningConfiguration={"Status": "Enabled"}
    )  # as in AWS: a plain delete would only hide the object
    put("inbound/message-1")
    put("inbound/message-1", b"second version")
    put("exports/patient-1/archive.zip")
    put("attachments/b1/a1.pdf")  # a medical document: not this rule's
    written = dt.datetime.now(dt.UTC)

    at(written + dt.timedelta(days=1) - dt.timedelta(minutes=5))  # both within their terms
    summary = retention.apply()
    assert summary["inbound_mail"] == {"objects": 0} and summary["data_exports"] == {"objects": 0}
    assert keys("exports/") == {"exports/patient-1/archive.zip"}

    at(written + dt.timedelta(days=1, minutes=5))  # the export's day is over; the message has 30
    assert retention.apply()["data_exports"] == {"objects": 1}
    assert keys("exports/") == set() and keys("inbound/") == {"inbound/message-1"}

    at(written + dt.timedelta(days=30, minutes=5))
    assert retention.apply()["inbound_mail"] == {"objects": 1}
    assert keys("inbound/") == set()  # every version
    assert keys("attachments/") == {"attachments/b1/a1.pdf"}
    again = retention.apply()
    assert again["inbound_mail"] == {"objects": 0} and again["data_exports"] == {"objects": 0}


def audit_entry(day: str, at_id: str) -> None:
    from chalicelib.storage.tables import AuditEntry

    AuditEntry(
        day,
        at_id,
        actor_id="d1",
        actor_name="Врач",
        actor_roles="doctor",
        action="read",
        target_type="b",
        target_id="1",
    ).save()


def retention_entries(day: str) -> list[Any]:
    from chalicelib.storage.tables import AuditEntry

    return [e for e in AuditEntry.query(day) if e.action == "retention_delete"]


def test_audit_days_past_five_years_go_whole_and_the_deletion_is_itself_audited(aws: None) -> None:
    from chalicelib import retention
    from chalicelib.storage.tables import AuditEntry

    # Five years before 04:30 on 2 December 2026 in Moscow: 2 December 2021 is the first day kept.
    audit_entry("2021-12-01", "2021-12-01T20:59:59+00:00#aaaaaaaa")
    audit_entry("2021-12-01", "2021-12-01T10:00:00+00:00#bbbbbbbb")
    audit_entry("2021-12-02", "2021-12-01T21:00:00+00:00#cccccccc")
    at(NOW)
    assert retention.apply()["audit"] == {"audit_entries": 2}
    assert list(AuditEntry.query("2021-12-01")) == []
    assert [e.at_id for e in AuditEntry.query("2021-12-02")] == ["2021-12-01T21:00:00+00:00#cccccccc"]
    [entry] = [e for e in retention_entries("2026-12-02") if e.target_type == "audit_entries"]
    assert entry.target_id == "audit 5y: 2" and entry.actor_id == "retention"
    assert retention.apply()["audit"] == {"audit_entries": 0}


# --- medical records ---------------------------------------------------------------------------------------


def booking(patient_id: str, starts: dt.datetime, **values: Any) -> Any:
    from chalicelib.storage.tables import Booking

    item = Booking(
        f"b-{patient_id}-{starts:%Y%m%d%H%M}",
        patient_id=patient_id,
        doctor_id="d1",
        starts_at=starts.isoformat().replace("+00:00", "Z"),
        ends_at=(starts + dt.timedelta(minutes=30)).isoformat().replace("+00:00", "Z"),
        price=3500,
        patient_email=f"{patient_id}@example.org",
        patient_name="Пациент",
        doctor_name="Врач",
        specialty_name="Кардиология",
        created_at=starts.isoformat(),
        updated_at=starts.isoformat(),
        **{"status": "completed", **values},
    )
    item.save()
    return item


def full_record(patient_id: str, starts: dt.datetime) -> dict[str, Any]:
    """A visit with everything that hangs on it: conclusion (signed PDF), a document, the room, the mail address."""
    from chalicelib.documents.addresses import token_hash
    from chalicelib.storage.tables import Attachment, Conclusion, Consent, DocumentsAddress, Room

    b = booking(patient_id, starts, room_id=f"room-{patient_id}", documents_token=f"tok-{patient_id}")
    pdf, document = f"conclusions/{b.booking_id}.pdf", f"attachments/{b.booking_id}/a1.pdf"
    put(pdf)
    put(document)
    Conclusion(b.booking_id, doctor_id="d1", patient_id=patient_id, status="signed", updated_at=b.updated_at,
               signed_at=b.starts_at, pdf_key=pdf).save()  # fmt: skip
    Attachment(b.booking_id, "a1", patient_id=patient_id, filename="a.pdf", content_type="application/pdf", size=1,
               s3_key=document, status="ready", created_at=b.created_at).save()  # fmt: skip
    Room(b.room_id, booking_id=b.booking_id, patient_id=patient_id, doctor_id="d1", token_hash="h", status="closed",
         lobby_at=b.starts_at, starts_at=b.starts_at, ends_at=b.ends_at, closes_at=b.ends_at,
         created_at=b.created_at).save()  # fmt: skip
    DocumentsAddress(token_hash(f"tok-{patient_id}"), booking_id=b.booking_id, patient_id=patient_id,
                     created_at=b.created_at).save()  # fmt: skip
    consent = Consent(f"c-{patient_id}", user_id=patient_id, kind="contract", version="1", sha256="0" * 64,
                      text="Договор", signed_at=(starts - dt.timedelta(days=1)).isoformat())  # fmt: skip
    consent.save()
    return {"booking": b, "files": {pdf, document}, "consent": consent.consent_id, "token": f"tok-{patient_id}"}


def record_left(record: dict[str, Any]) -> dict[str, bool]:
    from chalicelib.documents.addresses import token_hash
    from chalicelib.storage.tables import Attachment, Booking, Conclusion, Consent, DocumentsAddress, Room

    b = record["booking"]
    return {
        "booking": stored(Booking, b.booking_id),
        "conclusion": stored(Conclusion, b.booking_id),
        "attachment": stored(Attachment, b.booking_id, "a1"),
        "room": stored(Room, b.room_id),
        "address": stored(DocumentsAddress, token_hash(record["token"])),
        "consent": stored(Consent, record["consent"]),
        "files": all(keys(f) == {f} for f in record["files"]),
    }


def test_a_patients_records_go_25_years_after_the_last_visit_never_with_a_visit_ahead(aws: None) -> None:
    from chalicelib import retention

    cutoff = dt.datetime(2001, 12, 2, 1, 30, tzinfo=dt.UTC)  # 25 years before NOW
    gone = full_record("p-gone", cutoff - dt.timedelta(minutes=1))
    kept = full_record("p-kept", cutoff + dt.timedelta(minutes=1))
    # An old visit, but a consultation booked ahead: the last visit is ahead, nothing of the patient goes.
    returning = full_record("p-returning", cutoff - dt.timedelta(days=400))
    ahead = booking("p-returning", NOW + dt.timedelta(days=3), status="paid")

    at(NOW)
    summary = retention.apply()
    assert summary["medical_records"] == {
        "bookings": 1,
        "conclusions": 1,
        "attachments": 1,
        "rooms": 1,
        "addresses": 1,
        "files": 2,
        "consents": 1,
    }
    assert set(record_left(gone).values()) == {False}
    assert set(record_left(kept).values()) == {True}
    assert set(record_left(returning).values()) == {True}
    from chalicelib.storage.tables import Booking

    assert stored(Booking, ahead.booking_id)
    entries = {(e.target_type, e.target_id, e.patient_id) for e in retention_entries("2026-12-02")}
    assert ("bookings", "medical_records 25y: 1", "p-gone") in entries
    assert ("consents", "legal_documents 25y: 1", "p-gone") in entries
    assert ("files", "medical_records 25y: 2", "p-gone") in entries
    again = retention.apply()
    assert set(again["medical_records"].values()) == {0}


def test_a_booking_changed_after_it_was_found_or_one_ahead_is_never_deleted(aws: None) -> None:
    from chalicelib.storage import retention as store
    from chalicelib.storage.tables import Booking

    cutoff = "2001-12-02T01:30:00+00:00"
    old = booking("p1", dt.datetime(2000, 1, 10, 9, tzinfo=dt.UTC))
    found = Booking.get(old.booking_id)
    old.update(actions=[Booking.updated_at.set("2026-12-02T01:29:00+00:00")])
    assert store.delete_booking(found, cutoff) is False
    assert stored(Booking, old.booking_id)

    future = booking("p1", NOW + dt.timedelta(days=1), status="paid")
    assert store.delete_booking(Booking.get(future.booking_id), cutoff) is False
    assert stored(Booking, future.booking_id)


def test_the_scheduled_function_runs_the_job_with_the_clock(aws: None) -> None:
    import app
    from local.stack import scheduled_event

    request(NOW - dt.timedelta(days=31), "new")
    at(NOW)
    summary = app.apply_retention(scheduled_event(), None)
    assert summary["registration_requests"] == {"registration_requests": 1}
