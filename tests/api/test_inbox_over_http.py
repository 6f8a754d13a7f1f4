"""Documents by email on the local stack: an .eml dropped into .local/inbox is handled as SES would deliver it."""

from __future__ import annotations

import time
import uuid
from email.message import EmailMessage

from local.client import HttpApi, signed_in
from tests.api.test_rooms_over_http import paid_drop_in


def test_an_eml_in_the_inbox_is_attached_and_answered(stack) -> None:
    registrar = signed_in(stack.url, "registrar@clinic.local", "demo-password")
    visit = paid_drop_in(stack.url, registrar)
    # The booking's own address, as its patient sees it on the booking page.
    address = visit["patient"].get(f"/bookings/{visit['booking']['id']}").json["documents_address"]
    assert address and address.startswith("docs+")
    message = EmailMessage()
    message["From"] = visit["email"]
    message["To"] = address
    message["Subject"] = "Анализы"
    message.set_content("Направляю результаты анализов.")
    message.add_attachment(b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="анализы.pdf")
    stack.inbox.mkdir(parents=True, exist_ok=True)
    (stack.inbox / f"test-{uuid.uuid4().hex}.eml").write_bytes(message.as_bytes())
    deadline = time.monotonic() + 20
    listed = []
    while time.monotonic() < deadline and not listed:
        listed = visit["patient"].get(f"/bookings/{visit['booking']['id']}/attachments").json
        time.sleep(0.5)
    assert [(a["filename"], a["source"]) for a in listed] == [("анализы.pdf", "email")]
    replies = [
        m
        for m in HttpApi(stack.url).get("/dev/outbox").json
        if m["to"] == [visit["email"]] and m["subject"].startswith("Документы получены")
    ]
    assert replies and "анализы.pdf" in replies[0]["text"]
