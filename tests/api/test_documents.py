"""Documents before the call: presigned uploads with limits, the byte check, email ingestion."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
import requests

from tests.api.conftest import free_slots
from tests.helpers import Api, outbox

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def paid(client, doctor: dict, patient: Api, yookassa) -> dict:
    slot = free_slots(patient, doctor["id"])[1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    return patient.get(f"/bookings/{booking['id']}").json


def upload(patient: Api, booking_id: str, name: str, content_type: str, data: bytes):  # type: ignore[no-untyped-def]
    started = patient.post(
        f"/bookings/{booking_id}/attachments", {"filename": name, "content_type": content_type, "size": len(data)}
    )
    if started.status_code != 201:
        return started
    form = started.json
    sent = requests.post(form["url"], data=form["fields"], files={"file": (name, data, content_type)}, timeout=10)
    assert sent.status_code in (200, 201, 204), sent.text
    return patient.post(f"/bookings/{booking_id}/attachments/{form['attachment_id']}/complete")


def test_upload_a_pdf_and_refuse_an_impostor(client, paid: dict, patient: Api) -> None:
    from chalicelib import aws, resources

    ok = upload(patient, paid["id"], "анализы.pdf", "application/pdf", PDF)
    assert ok.status_code == 200 and ok.json["status"] == "ready"
    impostor = upload(patient, paid["id"], "вирус.pdf", "application/pdf", b"MZ this is not a pdf at all")
    assert impostor.status_code == 422 and impostor.json["error"]["code"] == "file_rejected"
    assert "вирус.pdf" in impostor.json["error"]["message"]
    listed = patient.get(f"/bookings/{paid['id']}/attachments").json
    assert [a["filename"] for a in listed] == ["анализы.pdf"]
    assert requests.get(listed[0]["download_url"], timeout=10).content == PDF
    keys = [o["Key"] for o in aws.s3().list_objects_v2(Bucket=resources.documents_bucket()).get("Contents", [])]
    assert len(keys) == 1  # the impostor is gone
    head = aws.s3().head_object(Bucket=resources.documents_bucket(), Key=keys[0])
    assert head["ServerSideEncryption"] == "aws:kms"


def test_limits_are_checked_before_any_upload(paid: dict, patient: Api) -> None:
    too_big = patient.post(
        f"/bookings/{paid['id']}/attachments",
        {"filename": "скан.pdf", "content_type": "application/pdf", "size": 20 * 1024 * 1024 + 1},
    )
    assert too_big.status_code == 400 and "20 МБ" in too_big.json["error"]["fields"]["size"]
    wrong = patient.post(
        f"/bookings/{paid['id']}/attachments",
        {"filename": "doc.docx", "content_type": "application/msword", "size": 100},
    )
    assert wrong.status_code == 400 and "content_type" in wrong.json["error"]["fields"]
    for i in range(10):
        assert upload(patient, paid["id"], f"снимок-{i}.png", "image/png", PNG).status_code == 200
    eleventh = patient.post(
        f"/bookings/{paid['id']}/attachments", {"filename": "ещё.png", "content_type": "image/png", "size": len(PNG)}
    )
    assert eleventh.status_code == 409 and eleventh.json["error"]["code"] == "too_many_files"


def test_only_the_patient_and_the_doctor_see_documents(client, paid: dict, patient: Api) -> None:
    from tests.api.conftest import another_patient

    upload(patient, paid["id"], "анализы.pdf", "application/pdf", PDF)
    other = another_patient(client)
    assert other.get(f"/bookings/{paid['id']}/attachments").status_code == 404
    assert (
        other.post(
            f"/bookings/{paid['id']}/attachments", {"filename": "x.pdf", "content_type": "application/pdf", "size": 10}
        ).status_code
        == 404
    )


def letter(
    sender: str,
    to: str,
    subject: str,
    files: list[tuple[str, str, bytes]],
    headers: dict[str, str] | None = None,
    body: str = "Документы к консультации.",
) -> bytes:
    """A raw email with files attached, as SES would store it."""
    message = EmailMessage()
    for name, value in (headers or {}).items():
        message[name] = value
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for name, content_type, data in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def mail(sender: str, subject: str, files: list[tuple[str, str, bytes]], to: str = "telemed@clinic.local") -> bytes:
    return letter(sender, to, subject, files, body="Здравствуйте, направляю документы.")


def subject_for(booking: dict) -> str:
    local = dt.datetime.fromisoformat(booking["starts_at"])
    return f"Консультация {local:%d.%m.%Y} в {local:%H:%M}"


def replies_to(address: str) -> list[dict]:
    return [m for m in outbox() if m["to"] == [address] and "Документы" in m["subject"]]


def test_documents_by_email_to_the_bookings_own_address_are_attached_and_answered(paid: dict, patient: Api) -> None:
    from chalicelib.documents.inbound import receive

    outcome = receive(
        mail(
            "Anna@Example.org",
            "анализы",
            [("узи.pdf", "application/pdf", PDF), ("фото.jpg", "image/jpeg", b"not a jpeg")],
            to=paid["documents_address"],
        )
    )
    assert [a["filename"] for a in outcome["attached"]] == ["узи.pdf"]
    assert [r["filename"] for r in outcome["refused"]] == ["фото.jpg"]
    listed = patient.get(f"/bookings/{paid['id']}/attachments").json
    assert [(a["filename"], a["source"]) for a in listed] == [("узи.pdf", "email")]
    [reply] = replies_to("anna@example.org")
    assert "узи.pdf" in reply["text"] and "фото.jpg" in reply["text"] and "Не приняты" in reply["text"]


@pytest.mark.parametrize("subject", ["Документы к приёму", "Консультация 01.01.2030 10:00", None])
def test_mail_to_the_general_address_is_never_attached_and_says_where_to_write(paid: dict, subject: str | None) -> None:
    from chalicelib.documents.inbound import receive

    outcome = receive(mail("anna@example.org", subject or subject_for(paid), [("узи.pdf", "application/pdf", PDF)]))
    assert outcome["problem"] == "general_address" and outcome["attached"] == []
    assert bool(outcome.get("held")) is (subject is None)  # kept aside only when it names her booking
    [reply] = replies_to("anna@example.org")
    assert reply["subject"] == "Документы не приняты"
    # Her booking's own address is named when the letter names that booking; else where to find it.
    assert (paid["documents_address"] in reply["text"]) is (subject is None)
    assert "личном кабинете" in reply["text"]


def test_an_oversized_file_by_email_is_refused(paid: dict) -> None:
    from chalicelib.documents.inbound import receive

    big = PDF + b"0" * (20 * 1024 * 1024)
    outcome = receive(
        mail("anna@example.org", "скан", [("большой.pdf", "application/pdf", big)], to=paid["documents_address"])
    )
    assert outcome["attached"] == [] and outcome["refused"][0]["reason"] == "файл больше 20 МБ"


def test_subject_formats() -> None:
    from chalicelib.documents.inbound import consultation_time

    today = dt.date(2026, 11, 26)
    for subject in ("Консультация 27.11.2026 14:30", "27.11 в 14.30", "запись 2026-11-27 14:30"):
        found = consultation_time(subject, today)
        assert found is not None and (found.day, found.hour, found.minute) == (27, 14, 30), subject
    assert consultation_time("анализы", today) is None
