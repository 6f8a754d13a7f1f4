"""The forced password change right after signing in with the temporary password does not ask for that password
again (the sign-in a moment ago proved it) — only in that session, only while the change is still required and
only within `sessions.TEMPORARY_SIGN_IN_PROVES_FOR`; every other change still asks for the current password."""

from __future__ import annotations

import pytest

from chalicelib.accounts.sessions import TEMPORARY_SIGN_IN_PROVES_FOR
from tests.helpers import Api, Clock, make_user

TEMPORARY = "Tmp7wq3kPz9xRm"
OWN = "my own good secret"


@pytest.fixture
def newcomer(client) -> Api:
    """A person whose password is the emailed temporary one, just signed in with it."""
    make_user("newcomer@example.org", {"patient"}, TEMPORARY, must_change=True)
    api = Api(client)
    signed = api.login("newcomer@example.org", TEMPORARY)
    assert signed.status_code == 200 and signed.json["user"]["must_change_password"] is True
    return api


def field_error(response, field: str) -> str:
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "validation_error"
    return response.json["error"]["fields"][field]


def test_forced_change_right_after_sign_in_needs_no_current_password(newcomer: Api, client) -> None:
    response = newcomer.post("/me/password", {"new_password": OWN})
    assert response.status_code == 204, response.json
    assert newcomer.get("/me").json["must_change_password"] is False
    assert Api(client).login("newcomer@example.org", TEMPORARY).status_code == 401
    assert Api(client).login("newcomer@example.org", OWN).status_code == 200


def test_blank_current_password_is_the_same_as_none(newcomer: Api) -> None:
    assert newcomer.post("/me/password", {"current_password": "", "new_password": OWN}).status_code == 204


def test_the_temporary_password_cannot_become_ones_own(newcomer: Api) -> None:
    reason = field_error(newcomer.post("/me/password", {"new_password": TEMPORARY}), "new_password")
    assert "должен отличаться" in reason
    assert newcomer.get("/me").json["must_change_password"] is True


def test_after_the_change_the_shortcut_is_gone(newcomer: Api, client) -> None:
    assert newcomer.post("/me/password", {"new_password": OWN}).status_code == 204
    again = newcomer.post("/me/password", {"new_password": "yet another secret"})
    assert "текущий пароль" in field_error(again, "current_password")
    assert Api(client).login("newcomer@example.org", OWN).status_code == 200
    # The voluntary change still checks the current password.
    wrong = newcomer.post("/me/password", {"current_password": "not it", "new_password": "yet another secret"})
    assert "неверно" in field_error(wrong, "current_password")
    right = newcomer.post("/me/password", {"current_password": OWN, "new_password": "yet another secret"})
    assert right.status_code == 204


def test_an_older_session_must_give_the_temporary_password(client) -> None:
    """A session stolen (or left open) from an earlier sign-in cannot replace the password without it."""
    clock = Clock()
    make_user("newcomer@example.org", {"patient"}, TEMPORARY, must_change=True)
    stolen = Api(client)
    assert stolen.login("newcomer@example.org", TEMPORARY).status_code == 200
    clock.advance(seconds=TEMPORARY_SIGN_IN_PROVES_FOR.total_seconds() + 60)
    assert stolen.get("/me").status_code == 200  # the session itself is still alive (idle limit 30 min)
    refused = stolen.post("/me/password", {"new_password": OWN})
    reason = field_error(refused, "current_password")
    assert "временный пароль из письма" in reason and "15 мин" in reason
    assert stolen.get("/me").json["must_change_password"] is True
    assert Api(client).login("newcomer@example.org", OWN).status_code == 401
    # With the temporary password it is the ordinary change.
    assert stolen.post("/me/password", {"current_password": TEMPORARY, "new_password": OWN}).status_code == 204


def test_the_window_is_counted_from_the_sign_in_not_from_the_last_request(client) -> None:
    clock = Clock()
    make_user("newcomer@example.org", {"patient"}, TEMPORARY, must_change=True)
    api = Api(client)
    assert api.login("newcomer@example.org", TEMPORARY).status_code == 200
    for _ in range(4):  # busy all along: each request is within the idle limit and touches the session
        clock.advance(minutes=5)
        assert api.get("/me").status_code == 200
    assert field_error(api.post("/me/password", {"new_password": OWN}), "current_password")


def test_only_a_session_started_with_the_temporary_password_may_skip_it(client) -> None:
    """A session signed in with the person's own password does not get the shortcut if a change becomes required
    while it is open (whatever makes it required)."""
    from chalicelib.accounts import passwords, sessions
    from chalicelib.clock import now
    from chalicelib.storage import accounts as store

    make_user("anna@example.org", {"patient"})
    api = Api(client)
    assert api.login("anna@example.org").status_code == 200
    user = store.user_by_login("anna@example.org")
    store.set_password(
        user, passwords.hash_password(TEMPORARY), must_change=True, temporary_until=None, changed_at=now()
    )
    sessions.refresh(user)
    assert api.get("/me").json["must_change_password"] is True
    assert field_error(api.post("/me/password", {"new_password": OWN}), "current_password")
    assert api.post("/me/password", {"current_password": TEMPORARY, "new_password": OWN}).status_code == 204


def test_voluntary_change_still_needs_the_current_password(client) -> None:
    make_user("anna@example.org", {"patient"})
    api = Api(client)
    assert api.login("anna@example.org").status_code == 200
    reason = field_error(api.post("/me/password", {"new_password": OWN}), "current_password")
    assert reason == "Введите, пожалуйста, текущий пароль."
    assert Api(client).login("anna@example.org").status_code == 200
