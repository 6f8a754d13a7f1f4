"""Attacks on the cabinet's uploads: the presigned form used again after the check, a second /complete.

The form (a presigned S3 POST) is in the patient's hands; whatever it can still write must never be what
the doctor downloads.
"""

from __future__ import annotations

import requests

from tests.api.conftest import free_slots
from tests.helpers import Api, set_own_password

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def paid_booking(doctor: dict, patient: Api, yookassa) -> dict:  # type: ignore[no-untyped-def]
    slot = free_slots(patient, doctor["id"])[1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    return booking


def signed_in_doctor(client) -> Api:  # type: ignore[no-untyped-def]

    set_own_password("orlova@example.org", "doctor secret 1")
    api = Api(client)
    assert api.login("orlova@example.org", "doctor secret 1").status_code == 200
    return api


def post_form(form: dict, name: str, data: bytes, content_type: str) -> requests.Response:
    return requests.post(form["url"], data=form["fields"], files={"file": (name, data, content_type)}, timeout=10)


def test_reposting_the_form_after_the_check_does_not_change_what_the_doctor_downloads(
    client, doctor: dict, patient: Api, yookassa
) -> None:
    booking = paid_booking(doctor, patient, yookassa)
    form = patient.post(
        f"/bookings/{booking['id']}/attachments",
        {"filename": "анализы.pdf", "content_type": "application/pdf", "size": 4096},
    ).json
    assert post_form(form, "анализы.pdf", PDF, "application/pdf").status_code in (200, 201, 204)
    done = patient.post(f"/bookings/{booking['id']}/attachments/{form['attachment_id']}/complete")
    assert done.status_code == 200 and done.json["status"] == "ready", done.json

    # The attack: the same form, later, with HTML (the policy allows any bytes of the declared type and size).
    post_form(form, "анализы.pdf", HTML, "application/pdf")

    listed = signed_in_doctor(client).get(f"/bookings/{booking['id']}/attachments").json
    [item] = listed
    served = requests.get(item["download_url"], timeout=10)
    assert served.status_code == 200
    assert served.content == PDF, "the doctor was served the bytes posted after the check"
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")


def test_a_second_complete_is_refused(client, doctor: dict, patient: Api, yookassa) -> None:
    booking = paid_booking(doctor, patient, yookassa)
    form = patient.post(
        f"/bookings/{booking['id']}/attachments",
        {"filename": "анализы.pdf", "content_type": "application/pdf", "size": 4096},
    ).json
    post_form(form, "анализы.pdf", PDF, "application/pdf")
    path = f"/bookings/{booking['id']}/attachments/{form['attachment_id']}/complete"
    assert patient.post(path).status_code == 200
    post_form(form, "анализы.pdf", HTML, "application/pdf")
    again = patient.post(path)
    assert again.status_code == 409, again.json
    assert again.json["error"]["code"] == "upload_completed"
    assert "уже" in again.json["error"]["message"]
    listed = patient.get(f"/bookings/{booking['id']}/attachments").json
    assert [a["status"] for a in listed] == ["ready"]
    assert requests.get(listed[0]["download_url"], timeout=10).content == PDF


def test_the_form_is_short_lived(client, doctor: dict, patient: Api, yookassa) -> None:
    import base64
    import datetime as dt
    import json

    booking = paid_booking(doctor, patient, yookassa)
    form = patient.post(
        f"/bookings/{booking['id']}/attachments",
        {"filename": "анализы.pdf", "content_type": "application/pdf", "size": 4096},
    ).json
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    expires = dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert expires - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=10)
    # The form writes a key of its own, never the one the doctor's links are signed for.
    assert form["fields"]["key"].startswith("uploads/")


def test_over_http_a_reposted_form_does_not_reach_the_doctor(stack) -> None:
    """The same attack against the local stack of `make run`: moto's S3 server, the API over HTTP."""
    from local.client import signed_in
    from tests.api.test_rooms_over_http import paid_drop_in

    registrar = signed_in(stack.url, "registrar@clinic.local", "demo-password")
    visit = paid_drop_in(stack.url, registrar)
    patient, booking_id = visit["patient"], visit["booking"]["id"]
    form = patient.post(
        f"/bookings/{booking_id}/attachments",
        {"filename": "анализы.pdf", "content_type": "application/pdf", "size": 4096},
    ).json
    assert post_form(form, "анализы.pdf", PDF, "application/pdf").status_code in (200, 201, 204)
    path = f"/bookings/{booking_id}/attachments/{form['attachment_id']}/complete"
    assert patient.post(path).status == 200

    post_form(form, "анализы.pdf", HTML, "application/pdf")
    doctor = signed_in(stack.url, "doctor@clinic.local", "demo-password")
    [item] = doctor.get(f"/bookings/{booking_id}/attachments").json
    served = requests.get(item["download_url"], timeout=10)
    assert served.status_code == 200
    assert served.content == PDF, "the doctor was served the bytes posted after the check"
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")

    again = patient.post(path)
    assert again.status == 409 and again.json["error"]["code"] == "upload_completed"
    assert again.json["error"]["message"].startswith("Этот файл уже проверен")
