"""Attacks on how a session and a link's secret are carried.

- A session on a temporary password must not be usable anywhere the session counts, `anyone` routes
  included (a doctor entered the room before choosing a password).
- A room's or a reset link's token must not travel in a query string (browser history, proxy and
  access logs): it sits in the address's fragment, which never leaves the browser, and reaches the
  API in a header or a body.
- An ended session is refused at once (read with a consistent read).
"""

from __future__ import annotations

import re

from tests.api.conftest import free_slots
from tests.helpers import Api, make_user, outbox, password_in


def _paid(patient: Api, doctor: dict, yookassa) -> dict:  # type: ignore[no-untyped-def]
    slot = free_slots(patient, doctor["id"])[1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    return patient.get(f"/bookings/{booking['id']}").json


def _room_token(room_id: str) -> str:
    mail = next(m for m in outbox() if m["subject"].startswith("Консультация оплачена"))
    match = re.search(r"/room/" + re.escape(room_id) + r"#token=([A-Za-z0-9_-]+)", mail["text"])
    assert match, mail["text"]
    return match.group(1)


def test_a_temporary_password_session_cannot_enter_the_room(client, doctor: dict, patient: Api, yookassa) -> None:
    """The doctor's card was just opened: the emailed temporary password signs in, but only to choose one."""
    paid = _paid(patient, doctor, yookassa)
    credentials = next(m for m in outbox() if m["to"] == ["orlova@example.org"])
    fresh = Api(client)
    assert fresh.login("orlova@example.org", password_in(credentials["text"])).status_code == 200
    assert fresh.get("/me").json["must_change_password"] is True

    entered = fresh.get(f"/rooms/{paid['room_id']}")
    assert entered.status_code == 403, entered.json
    assert entered.json["error"]["code"] == "password_change_required"
    assert "парол" in entered.json["error"]["message"].lower()
    # The same session may still do what it is for.
    assert fresh.get("/me").status_code == 200


def test_the_room_link_carries_its_token_in_the_fragment_and_the_api_takes_it_in_a_header(
    client, doctor: dict, patient: Api, yookassa
) -> None:
    paid = _paid(patient, doctor, yookassa)
    mail = next(m for m in outbox() if m["subject"].startswith("Консультация оплачена"))
    assert "?token=" not in mail["text"] and "?token=" not in mail["html"]
    token = _room_token(paid["room_id"])

    anonymous = Api(client)
    by_header = anonymous.get(f"/rooms/{paid['room_id']}", headers={"X-Room-Token": token})
    assert by_header.status_code == 200, by_header.json
    assert by_header.json["role"] == "patient"
    # The lobby names this booking's own address for documents by email (the general one attaches nothing).
    assert by_header.json["documents_address"].startswith("docs+")
    assert by_header.json["documents_address"] == patient.get(f"/bookings/{paid['id']}").json["documents_address"]
    # A token in the query string is not looked at: it would be written to access logs.
    by_query = anonymous.get(f"/rooms/{paid['room_id']}?token={token}")
    assert by_query.status_code == 404
    wrong = anonymous.get(f"/rooms/{paid['room_id']}", headers={"X-Room-Token": token[:-2] + "xx"})
    assert wrong.status_code == 404 and wrong.json["error"]["code"] == "not_found"


def test_the_reset_link_carries_its_token_in_the_fragment(client) -> None:
    make_user("anna@example.org", {"patient"})
    api = Api(client)
    assert api.post("/auth/password-reset", {"email": "anna@example.org"}).status_code == 202
    [mail] = outbox()
    assert "?token=" not in mail["text"] and "?token=" not in mail["html"]
    token = re.search(r"/reset-password#token=([A-Za-z0-9_-]+)", mail["text"]).group(1)  # type: ignore[union-attr]
    assert (
        api.post("/auth/password-reset/confirm", {"token": token, "new_password": "reset and ready"}).status_code == 204
    )


def test_an_ended_session_is_refused_at_once(client) -> None:
    make_user("anna@example.org", {"patient"})
    first, second = Api(client), Api(client)
    assert first.login("anna@example.org").status_code == 200
    assert second.login("anna@example.org").status_code == 200
    assert (
        first.post(
            "/me/password", {"current_password": "correct horse battery", "new_password": "another good one"}
        ).status_code
        == 204
    )
    assert second.get("/me").status_code == 401
    assert first.get("/me").status_code == 200
    kept = first.cookie
    assert first.post("/auth/logout").status_code == 204
    stale = Api(client)
    stale.cookie = kept
    assert stale.get("/me").status_code == 401
