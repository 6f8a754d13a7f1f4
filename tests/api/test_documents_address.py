"""The documents address is one setting: the site asks the server for it, and the payment email, the booking
page and the calendar invite all name addresses made from that same setting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import free_slots
from tests.helpers import Api, outbox


@pytest.fixture
def clinic_address(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from chalicelib.config import reload_settings

    monkeypatch.setenv("DOCUMENTS_ADDRESS", "telemed@med122.example")
    reload_settings()
    yield "telemed@med122.example"
    monkeypatch.delenv("DOCUMENTS_ADDRESS")
    reload_settings()


def test_the_payment_email_and_the_booking_page_name_the_same_address(
    client, clinic_address: str, doctor: dict, patient: Api, yookassa
) -> None:
    assert Api(client).get("/clinic").json == {"documents_address": clinic_address}
    slot = free_slots(patient, doctor["id"])[1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    page = patient.get(f"/bookings/{booking['id']}").json
    personal = page["documents_address"]
    assert personal.startswith("docs+") and personal.endswith("@med122.example")
    [paid] = [m for m in outbox() if "Оплата получена" in m["text"]]
    assert personal in paid["text"] and personal in paid["html"]
    # Nothing in the letter names another clinic address (the old default, or the site's hard-coded one).
    for other in ("@clinic.local", "med122.com"):
        assert other not in paid["text"] and other not in paid["html"]
    from chalicelib.devtools.outbox import attachment

    invites = [i for i, a in enumerate(paid["attachments"]) if a["filename"].endswith(".ics")]
    assert invites, paid["attachments"]
    found = attachment(paid["id"], invites[0])
    assert found is not None
    assert f"mailto:{clinic_address}".encode() in found[2]
