"""«Мои данные»: a patient takes away everything the clinic holds about them as one ZIP archive, built by the
queue's worker, downloaded through a link that works for 15 minutes; only the owner; one at a time; three a day."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from tests.api.conftest import another_patient
from tests.api.test_conclusions import SECTIONS, at_start, consultation  # noqa: F401 (the fixture)
from tests.api.test_documents import PDF, upload
from tests.helpers import Api

PATIENT_EMAIL = "anna@example.org"


def run_worker(expected: int = 1) -> int:
    """What Lambda's SQS trigger does: take the queue's messages and hand them to app.py's `data_exports`."""
    from app import data_exports
    from chalicelib import aws
    from chalicelib.config import settings
    from local.timer_events import sqs_event

    sqs, url = aws.client("sqs"), settings().data_export_queue_url
    handled = 0
    while True:
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not found:
            break
        data_exports(sqs_event(found, "arn:aws:sqs:eu-central-1:123456789012:data-exports", "eu-central-1"), None)
        for message in found:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        handled += len(found)
    assert handled == expected
    return handled


@pytest.fixture
def history(client, consultation: dict) -> dict[str, Any]:
    """A patient with a card, signed documents, a paid booking with a document, a signed conclusion, and a doctor's
    read of the document (in the audit log)."""
    from chalicelib.storage import accounts as account_store
    from chalicelib.storage.tables import User

    patient, doctor, booking = consultation["patient"], consultation["doctor"], consultation["booking"]
    user = account_store.user_by_login(PATIENT_EMAIL)
    user.update(actions=[User.card_number.set("2026-000042"), User.phone.set("+79110000042")])
    assert patient.call("PUT", "/me/sms-reminders", {"enabled": True}).status_code == 200  # the card's mobile number
    assert upload(patient, booking["id"], "анализ крови.pdf", "application/pdf", PDF).status_code == 200
    at_start(consultation)
    assert doctor.get(f"/bookings/{booking['id']}/attachments").status_code == 200  # a staff read: audited
    signed = doctor.post(f"/bookings/{booking['id']}/conclusion", SECTIONS)
    assert signed.status_code == 201, signed.json
    return consultation


def fetch_archive(patient: Api, export_id: str) -> tuple[dict[str, Any], zipfile.ZipFile]:
    ready = patient.get(f"/me/data-exports/{export_id}")
    assert ready.status_code == 200 and ready.json["status"] == "ready", ready.json
    answer = requests.get(ready.json["download_url"], timeout=10)
    assert answer.status_code == 200
    return ready.json, zipfile.ZipFile(io.BytesIO(answer.content))


def test_the_archive_holds_every_kind_of_record(client, history: dict, capsys: pytest.CaptureFixture[str]) -> None:
    from chalicelib.storage import accounts as account_store
    from chalicelib.storage import audit as audit_store
    from chalicelib.storage import bookings as booking_store
    from chalicelib.storage.access import plain

    patient, booking = history["patient"], history["booking"]
    started = patient.post("/me/data-exports")
    assert started.status_code == 202, started.json
    assert started.json["status"] == "building" and started.json["id"]
    export_id = started.json["id"]
    assert patient.get(f"/me/data-exports/{export_id}").json["status"] == "building"
    assert "download_url" not in patient.get(f"/me/data-exports/{export_id}").json

    run_worker()
    view, archive = fetch_archive(patient, export_id)
    assert view["size"] == len(archive.fp.getvalue())  # type: ignore[union-attr]
    names = archive.namelist()
    assert names[:2] == ["about.txt", "data.json"]
    about = archive.read("about.txt").decode("utf-8")
    assert "Петрова Анна Викторовна" in about and "data.json" in about and "access_log" in about
    data = json.loads(archive.read("data.json"))

    assert data["profile"]["full_name"] == "Петрова Анна Викторовна"
    assert data["profile"]["email"] == PATIENT_EMAIL and data["profile"]["card_number"] == "2026-000042"
    assert "password_hash" not in json.dumps(data)
    # The consent to SMS reminders and the number they go to (#19) are the patient's data too.
    sms = data["profile"]["sms_reminders"]
    assert sms["enabled"] is True and sms["phone"] == "+79110000042" and sms["changed_at"].endswith("+03:00")
    # Consents with the exact texts signed, inside data.json and as files.
    assert {c["kind"] for c in data["consents"]} >= {"contract", "consent"}
    for consent in data["consents"]:
        assert consent["html"] and archive.read(consent["file"]).decode("utf-8") == consent["html"]
    # The booking and its payment.
    [entry] = data["bookings"]
    assert entry["id"] == booking["id"] and entry["doctor_name"] == "Орлова Елена Дмитриевна"
    assert entry["status"] == "completed" and entry["starts_at"].endswith("+03:00")
    [payment] = data["payments"]
    assert payment["booking_id"] == booking["id"] and payment["amount"] == 3500 and payment["paid_at"]
    assert payment["status"] == "succeeded"
    carried = getattr(booking_store.get_booking(booking["id"]), "receipts", None)  # 54-FZ receipts, when kept
    assert len(payment["receipts"]) == len(plain(carried)) and all(r.get("kind") for r in payment["receipts"])
    # The document sent, byte for byte; the signed conclusion's PDF.
    [document] = data["documents"]
    assert document["filename"] == "анализ крови.pdf" and archive.read(document["file"]) == PDF
    [conclusion] = data["conclusions"]
    assert conclusion["conclusion"] == SECTIONS["conclusion"]
    pdf = archive.read(conclusion["file"])
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf
    # The access log: the doctor's reads of this patient's data, not the patient's own.
    actions = {(e["actor_name"], e["action"]) for e in data["access_log"]}
    assert ("Орлова Елена Дмитриевна", "read_attachments") in actions
    assert all(e["actor_name"] != "Петрова Анна Викторовна" for e in data["access_log"])

    # The export is audited: who asked for it, who got the link.
    patient_id = account_store.user_by_login(PATIENT_EMAIL).user_id
    own = [e for e in audit_store.of_patient(patient_id) if e.actor_id == patient_id]
    assert sorted(e.action for e in own) == ["download_own_data", "export_own_data"]  # the clock stands still
    # The link is the archive: never in a log line.
    link = view["download_url"]
    printed = capsys.readouterr()
    assert urlparse(link).query not in printed.out + printed.err


def test_only_the_owner_and_the_link_expires(client, history: dict) -> None:
    from chalicelib.config import settings

    patient, staff = history["patient"], history["admin"]
    export_id = patient.post("/me/data-exports").json["id"]
    run_worker()
    view, _archive = fetch_archive(patient, export_id)
    query = parse_qs(urlparse(view["download_url"]).query)
    assert query["X-Amz-Expires"] == [str(settings().data_export_link_seconds)] == ["900"]
    assert view["link_expires_at"] > view["ready_at"]

    other = another_patient(client)
    assert other.get(f"/me/data-exports/{export_id}").status_code == 404
    assert other.get("/me/data-exports").json == []
    assert staff.get(f"/me/data-exports/{export_id}").status_code == 403
    assert history["doctor"].get(f"/me/data-exports/{export_id}").status_code == 403
    assert Api(client).get(f"/me/data-exports/{export_id}").status_code == 401
    assert [e["id"] for e in patient.get("/me/data-exports").json] == [export_id]


def test_one_at_a_time_and_three_a_day(client, history: dict) -> None:
    patient = history["patient"]
    first = patient.post("/me/data-exports")
    assert first.status_code == 202
    again = patient.post("/me/data-exports")
    assert again.status_code == 409 and again.json["error"]["code"] == "export_building"
    assert "уже готовится" in again.json["error"]["message"]
    run_worker()  # the refused request sent nothing to the queue
    for _ in range(2):
        assert patient.post("/me/data-exports").status_code == 202
        run_worker()
    fourth = patient.post("/me/data-exports")
    assert fourth.status_code == 429, fourth.json
    assert "(3)" in fourth.json["error"]["message"] and "завтра" in fourth.json["error"]["message"]
    assert 0 < int(fourth.headers["Retry-After"]) <= 24 * 3600
    statuses = [e["status"] for e in patient.get("/me/data-exports").json]
    assert statuses == ["ready", "ready", "ready"]


def test_an_archive_for_a_person_no_longer_on_file_fails_once(client, patient: Api) -> None:
    """The card was deleted meanwhile (the retention schedule): the export says failed, and is not tried again."""
    from chalicelib.storage import accounts as account_store

    export_id = patient.post("/me/data-exports").json["id"]
    account_store.user_by_login(PATIENT_EMAIL).delete()
    run_worker()
    assert patient.get(f"/me/data-exports/{export_id}").json["status"] == "failed"
    assert patient.post("/me/data-exports").status_code == 202  # the guard was freed
