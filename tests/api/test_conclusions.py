"""The doctor's conclusion: drafts from the start on, PAdES signed by KMS, pdfsig-valid, verifiable, audited."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from tests.api.conftest import free_slots
from tests.helpers import Api, Clock, make_user, outbox, set_own_password

SECTIONS = {
    "complaints": "Головная боль по утрам, слабость.",
    "anamnesis": "Гипертоническая болезнь 5 лет.",
    "examination": "АД 150/95 мм рт. ст. по данным самоконтроля.",
    "conclusion": "Артериальная гипертензия, неконтролируемая.",
    "recommendations": "Дневник давления две недели; повторная консультация.",
}


@pytest.fixture
def consultation(client, staff: Api, doctor: dict, patient: Api, yookassa) -> dict:
    """A paid booking at its start, its doctor signed in with a signing key."""

    make_user("admin@example.org", {"admin"})
    admin = Api(client)
    admin.login("admin@example.org")
    key = admin.post(f"/doctors/{doctor['id']}/signing-key")
    assert key.status_code == 201, key.json
    slot = free_slots(patient, doctor["id"])[1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    set_own_password("orlova@example.org", "doctor secret 1")
    doctor_api = Api(client)
    doctor_api.login("orlova@example.org", "doctor secret 1")
    return {"booking": booking, "doctor": doctor_api, "patient": patient, "admin": admin, "key": key.json}


def at_start(c: dict) -> None:
    Clock(dt.datetime.fromisoformat(c["booking"]["starts_at"]) + dt.timedelta(minutes=1))
    c["doctor"].login("orlova@example.org", "doctor secret 1")
    c["patient"].login("anna@example.org")
    c["admin"].login("admin@example.org")


def pdfsig(path) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def test_drafts_only_from_the_start_then_sign_send_verify(client, consultation: dict, tmp_path) -> None:
    doctor, patient, booking = consultation["doctor"], consultation["patient"], consultation["booking"]
    url = f"/bookings/{booking['id']}/conclusion"
    early = doctor.call("PUT", url, SECTIONS)
    assert early.status_code == 409 and early.json["error"]["code"] == "conclusion_not_ready"
    at_start(consultation)
    saved = doctor.call("PUT", url, {**SECTIONS, "conclusion": "черновик"})
    assert saved.status_code == 200 and saved.json["status"] == "draft"
    assert doctor.get(url).json["conclusion"] == "черновик"
    assert patient.get(url).status_code == 403  # drafts are the doctor's

    signed = doctor.post(url, SECTIONS)
    assert signed.status_code == 201, signed.json
    assert (
        signed.json["status"] == "signed"
        and signed.json["certificate_serial"] == consultation["key"]["certificate_serial"]
    )
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "completed"
    assert doctor.call("PUT", url, SECTIONS).json["error"]["code"] == "conclusion_signed"

    [mail] = [m for m in outbox() if m["subject"].startswith("Заключение врача")]
    assert mail["to"] == ["anna@example.org"]
    assert mail["attachments"][0]["content_type"] == "application/pdf"

    pdf = patient.get(f"{url}/pdf", headers={"Accept": "application/pdf"}).body
    assert pdf.startswith(b"%PDF") and len(pdf) < 200_000
    path = tmp_path / "conclusion.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Медицинское заключение" in text and "Артериальная гипертензия" in text
    assert "Орлова Елена Дмитриевна" in text and "Петрова Анна Викторовна" in text
    assert "Подписал" in text and consultation["key"]["certificate_serial"] in text.replace("\n", "")
    assert "Signature is Valid" in pdfsig(path)

    verified = Api(client).client.http.post(
        "/conclusions/verify", headers={"Content-Type": "application/pdf"}, body=pdf
    )
    answer = json.loads(verified.body)
    assert answer["valid"] is True and answer["signer"] == "Орлова Елена Дмитриевна"
    assert answer["booking"] == booking["id"] and answer["signed_at"]

    tampered = bytearray(pdf)
    spot = pdf.index(b"Medical") if b"Medical" in pdf else len(pdf) // 3
    tampered[spot] ^= 0x01
    path.write_bytes(bytes(tampered))
    assert "Signature is Valid" not in pdfsig(path)
    bad = json.loads(
        Api(client)
        .client.http.post("/conclusions/verify", headers={"Content-Type": "application/pdf"}, body=bytes(tampered))
        .body
    )
    assert bad["valid"] is False
    assert (
        json.loads(
            Api(client)
            .client.http.post(
                "/conclusions/verify", headers={"Content-Type": "application/pdf"}, body=b"%PDF-1.7 not really"
            )
            .body
        )["valid"]
        is False
    )


def test_reads_by_anyone_but_the_patient_are_audited(client, consultation: dict) -> None:
    doctor, patient, admin, booking = (consultation[k] for k in ("doctor", "patient", "admin", "booking"))
    at_start(consultation)
    doctor.post(f"/bookings/{booking['id']}/conclusion", SECTIONS)
    patient.get(f"/bookings/{booking['id']}/conclusion/pdf", headers={"Accept": "application/pdf"})
    doctor.get(f"/bookings/{booking['id']}/conclusion/pdf", headers={"Accept": "application/pdf"})
    doctor.get(f"/bookings/{booking['id']}")
    entries = admin.get("/audit").json["entries"]
    actions = {(e["action"], e["actor_name"]) for e in entries}
    assert ("read_conclusion_pdf", "Орлова Елена Дмитриевна") in actions
    assert ("read_booking", "Орлова Елена Дмитриевна") in actions
    assert not [e for e in entries if e["actor_name"] == "Петрова Анна Викторовна"]
    assert all(e["ip"] for e in entries)
    assert doctor.get("/audit").status_code == 403


def test_a_failed_signature_keeps_the_draft_with_a_message(
    client, consultation: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from chalicelib import aws

    at_start(consultation)
    doctor, booking = consultation["doctor"], consultation["booking"]
    kms = aws.kms()

    def unavailable(**kwargs):  # type: ignore[no-untyped-def]
        raise ClientError({"Error": {"Code": "KMSInternalException", "Message": "try later"}}, "Sign")

    monkeypatch.setattr(kms, "sign", unavailable)
    failed = doctor.post(f"/bookings/{booking['id']}/conclusion", SECTIONS)
    assert failed.status_code == 503 and failed.json["error"]["code"] == "signing_failed"
    assert "Черновик сохранён" in failed.json["error"]["message"]
    kept = doctor.get(f"/bookings/{booking['id']}/conclusion").json
    assert kept["status"] == "draft" and kept["conclusion"] == SECTIONS["conclusion"]
    assert kept["last_error"] == "signing_failed"
    monkeypatch.undo()
    assert doctor.post(f"/bookings/{booking['id']}/conclusion", SECTIONS).status_code == 201
