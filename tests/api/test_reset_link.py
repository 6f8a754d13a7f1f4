"""Opening a reset link says at once whether it still works — before a new password is typed: a read-only check
that leaves the link unused and tells nothing about whose it is, counted per address."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.helpers import Api, Clock, link_in, make_user, outbox


@pytest.fixture
def api(client) -> Api:
    make_user("anna@example.org", {"patient"})
    return Api(client)


def requested_token(api: Api) -> str:
    assert api.post("/auth/password-reset", {"email": "anna@example.org"}).status_code == 202
    link = link_in(outbox()[-1]["text"], "/reset-password")
    return unquote(link.split("#token=", 1)[1])


def state(api: Api, token: str) -> str:
    response = api.post("/auth/password-reset/check", {"token": token})
    assert response.status_code == 200, response.json
    assert set(response.json) == {"state"}  # nothing about the person
    return str(response.json["state"])


def test_a_fresh_link_works_and_checking_does_not_use_it(api: Api) -> None:
    token = requested_token(api)
    assert state(api, token) == "valid"
    assert state(api, token) == "valid"
    done = api.post("/auth/password-reset/confirm", {"token": token, "new_password": "reset and ready"})
    assert done.status_code == 204
    assert Api(api.client).login("anna@example.org", "reset and ready").status_code == 200


def test_a_used_link_says_so(api: Api) -> None:
    token = requested_token(api)
    assert (
        api.post("/auth/password-reset/confirm", {"token": token, "new_password": "reset and ready"}).status_code == 204
    )
    assert state(api, token) == "used"


def test_an_expired_link_says_so(api: Api) -> None:
    clock = Clock()
    token = requested_token(api)
    clock.advance(minutes=59)
    assert state(api, token) == "valid"
    clock.advance(minutes=2)
    assert state(api, token) == "expired"


def test_a_link_that_never_was(api: Api) -> None:
    assert state(api, "not-a-token-we-made") == "unknown"
    assert api.post("/auth/password-reset/check", {"token": ""}).status_code == 400


def test_checks_from_one_address_are_counted(api: Api) -> None:
    token = requested_token(api)
    headers = {"X-Forwarded-For": "203.0.113.7"}
    answers = [api.call("POST", "/auth/password-reset/check", {"token": token}, headers=headers) for _ in range(61)]
    assert [a.status_code for a in answers[:60]] == [200] * 60
    refused = answers[60]
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Слишком много попыток" in refused.json["error"]["message"]
