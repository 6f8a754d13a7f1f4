"""The whole payment path over HTTP against the local stack: hold → pay on YooKassa's page → email → paid."""

from __future__ import annotations

import datetime as dt
import socket
import time
import urllib.parse
import urllib.request

from local.client import HttpApi, new_patient, signed_in


def _click_pay(confirmation_url: str, card: str = "5555555555554477") -> int:
    data = urllib.parse.urlencode({"action": "pay", "card": card}).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(urllib.request.Request(confirmation_url, data=data, method="POST"), timeout=10)
    except urllib.error.HTTPError as err:
        return err.code
    return 200


def _wait_for(predicate, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return None


def test_pay_on_yookassas_page_and_get_the_room_link(stack) -> None:
    registrar = signed_in(stack.url, "registrar@clinic.local", "demo-password")
    patient = new_patient(stack.url, registrar)
    email = patient.get("/me").json["email"]
    doctor = next(d for d in HttpApi(stack.url).get("/doctors").json if d["specialty"]["id"] == "neurology")
    today = dt.date.today()
    slot = patient.get(f"/doctors/{doctor['id']}/slots?from={today}&to={today + dt.timedelta(days=14)}").json[0]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    payment = patient.post(f"/bookings/{booking['id']}/payment").json
    assert payment["confirmation_url"].split("/checkout/")[0] != stack.url  # YooKassa's own site
    page = urllib.request.urlopen(payment["confirmation_url"], timeout=10).read().decode()
    assert "Оплатить" in page and "3200.00" in page

    assert _click_pay(payment["confirmation_url"]) == 303
    paid = _wait_for(lambda: patient.get(f"/bookings/{booking['id']}").json["status"] == "paid")
    assert paid, patient.get(f"/bookings/{booking['id']}").json
    mails = _wait_for(
        lambda: [
            m
            for m in HttpApi(stack.url).get("/dev/outbox").json
            if m["to"] == [email] and m["subject"].startswith("Консультация оплачена")
        ]
    )
    assert mails and len(mails) == 1
    [mail] = mails
    assert "/room/" in mail["text"] and "#token=" in mail["text"]
    assert [a["filename"] for a in mail["attachments"]] == ["consultation.ics"]


def test_a_notification_from_a_foreign_address_is_refused(stack) -> None:
    """The webhook hears only YooKassa's addresses (the emulator's, locally): here, 127.0.0.2 is a stranger."""
    body = b'{"type": "notification", "event": "payment.succeeded", "object": {"id": "x"}}'
    host, port = stack.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10, source_address=("127.0.0.2", 0)) as sock:
        sock.sendall(
            b"POST /api/payments/yookassa/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
        )
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        answer = b"".join(chunks).decode()
    assert answer.startswith("HTTP/1.1 403"), answer
    assert "forbidden_source" in answer
