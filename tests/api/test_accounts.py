"""Accounts: sign-in, sessions, throttling, passwords, reset, the registry."""

from __future__ import annotations

import json
import statistics
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.config import reload_settings
from tests.helpers import Api, Clock, link_in, make_user, outbox, password_in

PASSWORD = "correct horse battery"


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def registrar(client) -> Api:
    make_user("registrar@example.org", {"registrar"})
    staff = Api(client)
    assert staff.login("registrar@example.org").status_code == 200
    return staff


# Signing in -----------------------------------------------------------------------


def test_sign_in_sets_a_locked_down_cookie(api: Api) -> None:
    make_user("Anna@Example.org", {"patient"})
    response = api.login("  ANNA@example.org ")
    assert response.status_code == 200
    assert response.json["user"]["email"] == "anna@example.org"
    assert response.json["user"]["roles"] == ["patient"]
    cookie = response.headers["Set-Cookie"]
    name, rest = cookie.split("=", 1)
    assert name == "session"
    token = rest.split(";", 1)[0]
    assert len(token) >= 43  # 256 bits, base64url
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite", "path"} <= flags
    assert "SameSite=Lax" in cookie and "Path=/" in cookie


def test_deployed_stages_use_a_host_cookie(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.web import cookies

    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.delenv("LOCAL_STACK", raising=False)  # a deployed stage is never the local stack
    reload_settings()
    try:
        assert cookies.cookie("x", 10).startswith("__Host-session=x;")
    finally:
        monkeypatch.setenv("STAGE", "local")
        monkeypatch.setenv("LOCAL_STACK", "1")
        reload_settings()


def test_unknown_login_and_wrong_password_look_the_same(api: Api) -> None:
    make_user("anna@example.org", {"patient"})
    wrong = api.login("anna@example.org", "not the password")
    unknown = api.login("nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.body == unknown.body
    assert wrong.json["error"]["code"] == "invalid_credentials"


def test_unknown_login_takes_as_long_as_a_wrong_password(client) -> None:
    make_user("anna@example.org", {"patient"})

    def timed(login: str) -> float:
        started = time.perf_counter()
        Api(client).login(login, "not the password")
        return time.perf_counter() - started

    # Alternate, so drift in the machine's load hits both alike; different logins avoid the throttle.
    wrong, unknown = [], []
    for i in range(4):
        wrong.append(timed("anna@example.org") if i < 4 else 0)
        unknown.append(timed(f"nobody{i}@example.org"))
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.6 < ratio < 1.6, (wrong, unknown)


def test_each_sign_in_gets_a_new_session(client) -> None:
    make_user("anna@example.org", {"patient"})
    first, second = Api(client), Api(client)
    first.login("anna@example.org")
    second.login("anna@example.org")
    assert first.cookie != second.cookie
    assert first.get("/me").status_code == 200
    assert second.get("/me").status_code == 200


def test_me_needs_a_session(api: Api) -> None:
    response = api.get("/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "not_signed_in"
    api.cookie = "session=forged-token-value"
    assert api.get("/me").status_code == 401


def test_session_answers_a_visitor_without_an_error(api: Api) -> None:
    """Every page asks who is signed in; a visitor gets an answer (no 401 in the browser's console)."""
    response = api.get("/session")
    assert response.status_code == 200
    assert response.json == {"user": None, "limits": None}
    api.cookie = "session=forged-token-value"
    assert api.get("/session").json == {"user": None, "limits": None}
    make_user("anna@example.org", {"patient"})
    clock = Clock()
    api.login("anna@example.org")
    answer = api.get("/session").json
    person = answer["user"]
    assert (person["email"], person["roles"]) == ("anna@example.org", ["patient"])
    assert person == api.get("/me").json
    # What the page needs to warn before the session ends by itself (WCAG 2.2.1): the idle limit and the hard end.
    assert answer["limits"]["idle_seconds"] == 30 * 60
    assert answer["limits"]["touch_seconds"] == 60
    ends_at = answer["limits"]["ends_at"]
    clock.advance(minutes=29)
    assert api.get("/session").json["limits"]["ends_at"] == ends_at  # asking does not move the hard end
    # Which answers restarted the idle clock: those that looked at the session, and only they.
    assert api.get("/session").headers.get("X-Session-Seen") == "1"
    assert api.get("/bookings").headers.get("X-Session-Seen") == "1"
    assert "X-Session-Seen" not in api.get("/specialties").headers
    api.post("/auth/logout")
    assert api.get("/session").json == {"user": None, "limits": None}
    assert "X-Session-Seen" not in api.get("/session").headers


def test_logout_kills_the_session_server_side(api: Api) -> None:
    make_user("anna@example.org", {"patient"})
    api.login("anna@example.org")
    stolen = api.cookie
    response = api.post("/auth/logout")
    assert response.status_code == 204
    assert "Max-Age=0" in response.headers["Set-Cookie"]
    api.cookie = stolen
    assert api.get("/me").status_code == 401


def test_idle_timeout(api: Api, aws) -> None:
    clock = Clock()
    make_user("anna@example.org", {"patient"})
    api.login("anna@example.org")
    clock.advance(minutes=29)
    assert api.get("/me").status_code == 200
    clock.advance(minutes=29)  # 58 minutes after sign-in, 29 after the last request
    assert api.get("/me").status_code == 200
    clock.advance(minutes=30)
    assert api.get("/me").status_code == 401


def test_absolute_timeout(api: Api, aws) -> None:
    clock = Clock()
    make_user("anna@example.org", {"patient"})
    api.login("anna@example.org")
    for _ in range(28):  # active every 25 minutes: 11 h 40 min
        clock.advance(minutes=25)
        assert api.get("/me").status_code == 200
    clock.advance(minutes=25)  # 12 h 5 min
    assert api.get("/me").status_code == 401


# Throttling ---------------------------------------------------------------------


def test_five_failures_then_a_short_growing_delay(api: Api, aws) -> None:
    clock = Clock()
    make_user("anna@example.org", {"patient"})
    for _ in range(5):
        assert api.login("anna@example.org", "wrong password").status_code == 401
    blocked = api.login("anna@example.org", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.json["error"]["code"] == "too_many_requests"
    first_wait = int(blocked.headers["Retry-After"])
    assert 0 < first_wait <= 60
    assert str(first_wait) in blocked.json["error"]["message"]

    clock.advance(seconds=first_wait + 1)
    assert api.login("anna@example.org", "wrong again").status_code == 401
    second = api.login("anna@example.org", PASSWORD)
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > first_wait

    clock.advance(seconds=int(second.headers["Retry-After"]) + 1)
    assert api.login("anna@example.org", PASSWORD).status_code == 200


def test_delay_never_becomes_a_lockout() -> None:
    from chalicelib.accounts.throttle import ACCOUNT_FAILURES, LONGEST_DELAY_S, delay_after

    assert delay_after(ACCOUNT_FAILURES - 1, ACCOUNT_FAILURES) == 0
    assert max(delay_after(n, ACCOUNT_FAILURES) for n in range(100)) == LONGEST_DELAY_S <= 300


def test_window_forgets_old_failures(api: Api, aws) -> None:
    clock = Clock()
    make_user("anna@example.org", {"patient"})
    for _ in range(4):
        api.login("anna@example.org", "wrong password")
    clock.advance(minutes=16)
    for _ in range(4):
        assert api.login("anna@example.org", "wrong password").status_code == 401
    assert api.login("anna@example.org", PASSWORD).status_code == 200


def test_one_address_guessing_many_logins_is_slowed(api: Api, aws) -> None:
    Clock()
    for i in range(30):
        assert api.login(f"guess{i}@example.org", "password").status_code == 401
    response = api.login("someone-else@example.org", "password")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


# Passwords ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "new_password, reason",
    [
        ("short7!", "не короче 8"),
        ("x" * 129, "не длиннее 128"),
        ("qwerty123", "слишком распространён"),
        ("anna@example.org", "не должен совпадать с логином"),
    ],
)
def test_password_rules(api: Api, new_password: str, reason: str) -> None:
    make_user("anna@example.org", {"patient"})
    api.login("anna@example.org")
    response = api.post("/me/password", {"current_password": PASSWORD, "new_password": new_password})
    assert response.status_code == 400
    assert reason in response.json["error"]["fields"]["new_password"]


def test_any_characters_are_allowed(api: Api) -> None:
    make_user("anna@example.org", {"patient"})
    api.login("anna@example.org")
    phrase = "  Мой кот ест 🐟 по средам  "
    assert api.post("/me/password", {"current_password": PASSWORD, "new_password": phrase}).status_code == 204
    assert Api(api.client).login("anna@example.org", phrase).status_code == 200


def test_password_is_stored_as_argon2id(aws) -> None:
    from chalicelib.storage import accounts as store

    make_user("anna@example.org", {"patient"})
    stored = store.user_by_login("anna@example.org").password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored


def test_password_change_ends_other_sessions(client) -> None:
    make_user("anna@example.org", {"patient"})
    here, elsewhere = Api(client), Api(client)
    here.login("anna@example.org")
    elsewhere.login("anna@example.org")
    wrong = here.post("/me/password", {"current_password": "not it", "new_password": "a brand new secret"})
    assert wrong.status_code == 400 and "current_password" in wrong.json["error"]["fields"]
    assert (
        here.post("/me/password", {"current_password": PASSWORD, "new_password": "a brand new secret"}).status_code
        == 204
    )
    assert here.get("/me").status_code == 200
    assert elsewhere.get("/me").status_code == 401
    assert Api(client).login("anna@example.org", PASSWORD).status_code == 401
    assert Api(client).login("anna@example.org", "a brand new secret").status_code == 200


def test_rehash_when_parameters_rise(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.storage import accounts as store

    make_user("anna@example.org", {"patient"})
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "24576")
    assert api.login("anna@example.org").status_code == 200
    assert ",m=24576,t=2,p=1$" in store.user_by_login("anna@example.org").password_hash.replace("$m=", ",m=")
    assert Api(api.client).login("anna@example.org").status_code == 200


# The registry and temporary passwords ---------------------------------------------


def open_card(staff: Api, email: str = "new.patient@example.org", **extra: str):
    body = {
        "full_name": "Соколова Мария Ивановна",
        "email": email,
        "phone": "+7 921 555-12-34",
        "birth_date": "1990-05-17",
        **extra,
    }
    return staff.post("/patients", body)


def test_opening_a_card_emails_credentials(registrar: Api, client) -> None:
    response = open_card(registrar)
    assert response.status_code == 201
    card = response.json
    assert card["card_number"].endswith("000001")
    assert card["credentials_sent"] is True
    [mail] = [m for m in outbox() if m["to"] == ["new.patient@example.org"]]
    assert "Логин: new.patient@example.org" in mail["text"]
    temporary = password_in(mail["text"])
    assert len(temporary) >= 12
    assert card["card_number"] in mail["text"] and card["card_number"] in mail["html"]
    assert "по московскому времени" in mail["text"]

    patient = Api(client)
    signed = patient.login("new.patient@example.org", temporary)
    assert signed.status_code == 200
    assert signed.json["user"]["must_change_password"] is True
    assert patient.get("/me").json["must_change_password"] is True
    change = patient.post("/me/password", {"current_password": temporary, "new_password": "my own good secret"})
    assert change.status_code == 204
    assert patient.get("/me").json["must_change_password"] is False
    second = open_card(registrar, email="second@example.org")
    assert second.json["card_number"].endswith("000002")


def test_temporary_password_only_sets_a_new_one(client) -> None:
    make_user("registrar@example.org", {"registrar"}, must_change=True)
    staff = Api(client)
    staff.login("registrar@example.org")
    response = staff.get("/registration-requests")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "password_change_required"
    assert staff.get("/me").status_code == 200
    assert staff.get("/session").json["user"]["must_change_password"] is True


def test_temporary_password_expires_after_72_hours(registrar: Api, client, aws) -> None:
    clock = Clock()
    open_card(registrar)
    temporary = password_in(outbox()[0]["text"])
    clock.advance(hours=73)
    response = Api(client).login("new.patient@example.org", temporary)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "temporary_password_expired"
    assert "Забыли пароль" in response.json["error"]["message"]


def test_resending_credentials_voids_the_old_password(registrar: Api, client) -> None:
    card = open_card(registrar).json
    old = password_in(outbox()[0]["text"])
    response = registrar.post(f"/patients/{card['id']}/credentials")
    assert response.status_code == 200
    new = password_in(outbox()[0]["text"])
    assert new != old
    assert "Прежний временный пароль больше не действует" in outbox()[0]["text"]
    assert Api(client).login("new.patient@example.org", old).status_code == 401
    assert Api(client).login("new.patient@example.org", new).status_code == 200


def test_card_validation_and_unique_email(registrar: Api) -> None:
    assert open_card(registrar).status_code == 201
    taken = open_card(registrar)
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "email_taken"
    future = open_card(registrar, email="other@example.org", birth_date="2999-01-01")
    assert future.status_code == 400 and "birth_date" in future.json["error"]["fields"]
    bad = registrar.post("/patients", {"full_name": "", "email": "нет", "phone": "abc", "birth_date": "17.05.1990"})
    assert bad.status_code == 400
    assert set(bad.json["error"]["fields"]) == {"full_name", "email", "phone", "birth_date"}


def test_find_patient_by_email(registrar: Api) -> None:
    open_card(registrar)
    found = registrar.post("/patients/search", {"email": "NEW.patient@example.org"})
    assert found.status_code == 200 and found.json["full_name"] == "Соколова Мария Ивановна"
    assert registrar.post("/patients/search", {"email": "nobody@example.org"}).status_code == 404


def test_registration_requests_flow(client, registrar: Api) -> None:
    public = Api(client)
    bad = public.post("/registration-requests", {"full_name": "А", "email": "x", "phone": "1"})
    assert bad.status_code == 400
    assert set(bad.json["error"]["fields"]) == {"full_name", "email", "phone"}
    created = public.post(
        "/registration-requests",
        {
            "full_name": "Кузнецов Павел",
            "email": "pavel@example.org",
            "phone": "+7 (911) 222-33-44",
            "comment": "Хочу к кардиологу",
        },
    )
    assert created.status_code == 201 and created.json["status"] == "new"

    assert public.get("/registration-requests").status_code == 401
    make_user("patient@example.org", {"patient"})
    patient = Api(client)
    patient.login("patient@example.org")
    assert patient.get("/registration-requests").status_code == 403

    queue = registrar.get("/registration-requests?status=new")
    assert [r["email"] for r in queue.json] == ["pavel@example.org"]
    card = open_card(registrar, email="pavel@example.org", request_id=created.json["id"])
    assert card.status_code == 201
    assert registrar.get("/registration-requests?status=new").json == []
    assert [r["id"] for r in registrar.get("/registration-requests?status=done").json] == [created.json["id"]]

    rejected = public.post(
        "/registration-requests", {"full_name": "Спам Спамов", "email": "spam@example.org", "phone": "+7 900 000-00-00"}
    )
    moved = registrar.post(f"/registration-requests/{rejected.json['id']}/status", {"status": "rejected"})
    assert moved.status_code == 200 and moved.json["status"] == "rejected"
    assert registrar.post("/registration-requests/unknown/status", {"status": "done"}).status_code == 404


def test_staff_routes_refuse_patients_and_strangers(client) -> None:
    make_user("patient@example.org", {"patient"})
    patient = Api(client)
    patient.login("patient@example.org")
    for method, path in [("POST", "/patients"), ("POST", "/patients/search"), ("POST", "/patients/x/credentials")]:
        assert patient.call(method, path, {} if method == "POST" else None).status_code == 403
        assert Api(client).call(method, path, {} if method == "POST" else None).status_code == 401


# Password reset -----------------------------------------------------------------


def test_reset_request_always_answers_202(api: Api) -> None:
    make_user("anna@example.org", {"patient"})
    unknown = api.post("/auth/password-reset", {"email": "nobody@example.org"})
    known = api.post("/auth/password-reset", {"email": "anna@example.org"})
    assert unknown.status_code == known.status_code == 202
    assert unknown.body == known.body
    assert [m["to"] for m in outbox()] == [["anna@example.org"]]


def _reset_token() -> str:
    link = link_in(outbox()[0]["text"], "/reset-password")
    return parse_qs(urlsplit(link).fragment)["token"][0]


def test_reset_link_is_single_use_and_ends_sessions(client) -> None:
    make_user("anna@example.org", {"patient"})
    other = Api(client)
    other.login("anna@example.org")
    api = Api(client)
    api.post("/auth/password-reset", {"email": "anna@example.org"})
    token = _reset_token()
    assert len(token) >= 22
    weak = api.post("/auth/password-reset/confirm", {"token": token, "new_password": "password"})
    assert weak.status_code == 400 and "new_password" in weak.json["error"]["fields"]
    assert (
        api.post("/auth/password-reset/confirm", {"token": token, "new_password": "reset and ready"}).status_code == 204
    )
    again = api.post("/auth/password-reset/confirm", {"token": token, "new_password": "another new one"})
    assert again.status_code == 400 and again.json["error"]["code"] == "invalid_reset_token"
    assert other.get("/me").status_code == 401
    assert Api(client).login("anna@example.org", "reset and ready").status_code == 200


def test_reset_link_expires_after_an_hour(api: Api, aws) -> None:
    clock = Clock()
    make_user("anna@example.org", {"patient"})
    api.post("/auth/password-reset", {"email": "anna@example.org"})
    clock.advance(minutes=61)
    response = api.post("/auth/password-reset/confirm", {"token": _reset_token(), "new_password": "too late now"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_reset_token"


def test_secrets_never_reach_the_log(registrar: Api, client, capsys: pytest.CaptureFixture) -> None:
    capsys.readouterr()
    open_card(registrar)
    temporary = password_in(outbox()[0]["text"])
    patient = Api(client)
    patient.login("new.patient@example.org", temporary)
    patient.post("/auth/password-reset", {"email": "new.patient@example.org"})
    token = _reset_token()
    out = capsys.readouterr().out
    assert temporary not in out
    assert token not in out
    assert patient.cookie.split("=", 1)[1] not in out
    assert all(json.loads(line) for line in out.splitlines() if line.startswith("{"))


@pytest.mark.parametrize(
    "address", ["a,b@example.org", "a<b@example.org", '"a"@example.org', "a;b@example.org", "a(b)@example.org"]
)
def test_an_address_mail_cannot_go_to_is_refused_before_anything_is_written(registrar: Api, address: str) -> None:
    """An address that could name a second recipient is refused by the form, not half-way through opening a card."""
    from chalicelib.storage import accounts as store

    answer = registrar.post(
        "/patients",
        {"full_name": "Иванова Ольга", "email": address, "phone": "+7 900 111-22-33", "birth_date": "1990-05-17"},
    )
    assert answer.status_code == 400 and "email" in answer.json["error"]["fields"]
    assert store.user_by_login(address.lower()) is None
    request = Api(registrar.client).post(
        "/registration-requests", {"full_name": "Иванова Ольга", "email": address, "phone": "+7 900 111-22-33"}
    )
    assert request.status_code == 400 and "email" in request.json["error"]["fields"]
