"""Guessing passwords in parallel, and asking for reset emails in bulk (issue #14, item 4).

The attack: many sign-ins at once, all checked against the throttle before any failure was written,
so every one of them had its password verified. Each attempt must be claimed by a conditional write
*before* the password is looked at. Over HTTP against the local stack (moto serialized, as DynamoDB
is atomic), each attack from an address of its own on the loopback, so the stack's other tests keep
127.0.0.1's counters; and in process, with the guesses made to overlap by hand.
"""

from __future__ import annotations

import http.client
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib.accounts.throttle import ACCOUNT_FAILURES, ADDRESS_FAILURES
from local.client import HttpApi, new_patient, signed_in
from tests.helpers import Api, Clock, make_user, outbox

PASSWORD = "correct horse battery"


class Answer:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body
        self.json = json.loads(body) if body else None


def post_from(url: str, source: str, path: str, body: dict[str, Any]) -> Answer:
    """POST to the local stack from the loopback address `source` (the stack throttles by the peer's address)."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60, source_address=(source, 0))
    try:
        connection.request(
            "POST", "/api" + path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def in_parallel(calls: list[Any]) -> list[Answer]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def assert_throttled(answer: Answer) -> None:
    assert answer.status == 429, (answer.status, answer.json)
    assert answer.json["error"]["code"] == "too_many_requests"
    wait = int(answer.headers["Retry-After"])
    assert 0 < wait <= 300
    assert re.search(rf"через {wait} (секунду|секунды|секунд)\.$", answer.json["error"]["message"]), answer.json


# Over HTTP against the local stack ------------------------------------------------------------------


def test_parallel_guesses_at_one_login_over_http(stack) -> None:
    registrar = signed_in(stack.url, "registrar@clinic.local", "demo-password")
    victim = new_patient(stack.url, registrar)
    answers = in_parallel(
        [
            (
                lambda i=i: post_from(
                    stack.url, "127.0.0.11", "/auth/login", {"login": victim.email, "password": f"guess number {i}"}
                )
            )
            for i in range(20)
        ]
    )
    statuses = sorted(a.status for a in answers)
    print("parallel guesses at one login:", statuses)
    wrong = [a for a in answers if a.status == 401]
    assert all(a.json["error"]["code"] == "invalid_credentials" for a in wrong)
    assert len(wrong) <= ACCOUNT_FAILURES, statuses
    for answer in answers:
        if answer.status != 401:
            assert_throttled(answer)
    # The owner's right password waits too, for seconds, not for long (the delay, never a lock-out).
    own = post_from(stack.url, "127.0.0.21", "/auth/login", {"login": victim.email, "password": victim.password})
    assert_throttled(own)


def test_parallel_guesses_from_one_address_over_http(stack) -> None:
    logins = [f"nobody-{uuid.uuid4().hex[:8]}@example.org" for _ in range(ADDRESS_FAILURES + 15)]
    answers = in_parallel(
        [
            (
                lambda login=login: post_from(
                    stack.url, "127.0.0.12", "/auth/login", {"login": login, "password": "a guessed password"}
                )
            )
            for login in logins
        ]
    )
    statuses = sorted(a.status for a in answers)
    print("parallel guesses from one address:", statuses)
    assert len([a for a in answers if a.status == 401]) <= ADDRESS_FAILURES, statuses
    for answer in answers:
        if answer.status != 401:
            assert_throttled(answer)


def test_reset_requests_in_bulk_send_few_emails_over_http(stack) -> None:
    from chalicelib.accounts.throttle import RESET_PER_LOGIN

    registrar = signed_in(stack.url, "registrar@clinic.local", "demo-password")
    victim = new_patient(stack.url, registrar)
    answers = in_parallel(
        [
            (lambda: post_from(stack.url, "127.0.0.13", "/auth/password-reset", {"email": victim.email}))
            for _ in range(10)
        ]
    )
    assert [a.status for a in answers] == [202] * 10
    assert len({a.body for a in answers}) == 1  # the answer says nothing
    # Each request sends its email before it answers: every one is in the outbox now.
    mails = [
        m
        for m in HttpApi(stack.url).get("/dev/outbox").json
        if m["to"] == [victim.email] and "/reset-password" in m["text"]
    ]
    print("reset emails sent for 10 requests:", len(mails))
    assert 1 <= len(mails) <= RESET_PER_LOGIN


# In process ---------------------------------------------------------------------------------------


def overlapping_sign_ins(login: str, count: int, address: str = "192.0.2.1") -> list[str]:
    """`count` wrong guesses at `login`, each started while the one before has its password checked
    (as a parallel attacker's requests interleave)."""
    from chalicelib.accounts import passwords, signin
    from chalicelib.errors import DomainError

    outcomes: list[str] = []
    real_verify = passwords.verify_password
    pending = list(range(1, count))

    def attempt(i: int) -> None:
        try:
            signin.sign_in(login, f"guess number {i}", address)
            outcomes.append("signed_in")
        except DomainError as exc:
            outcomes.append(exc.code)

    def verify(password: str, stored: str) -> bool:
        # The next guess arrives while this one's password is being checked, and so on down.
        while pending:
            attempt(pending.pop(0))
        return real_verify(password, stored)

    passwords.verify_password = verify
    try:
        attempt(0)
    finally:
        passwords.verify_password = real_verify
    return outcomes


def test_overlapping_guesses_in_process(aws) -> None:
    Clock()
    make_user("anna@example.org", {"patient"})
    outcomes = overlapping_sign_ins("anna@example.org", 20)
    print("overlapping guesses:", outcomes)
    assert len(outcomes) == 20
    assert outcomes.count("invalid_credentials") <= ACCOUNT_FAILURES
    assert outcomes.count("too_many_requests") >= 20 - ACCOUNT_FAILURES


def test_successful_sign_ins_do_not_use_up_the_address(client) -> None:
    """An attempt is counted before the password is checked; a success gives the address's count back
    (a clinic's front desk, many people behind one address, signs in all day)."""
    Clock()
    make_user("anna@example.org", {"patient"})
    for _ in range(ADDRESS_FAILURES + 5):
        assert Api(client).login("anna@example.org").status_code == 200


def test_a_refused_address_leaves_the_login_untouched(client) -> None:
    from chalicelib.storage import accounts as store

    clock = Clock()
    make_user("anna@example.org", {"patient"})
    api = Api(client)
    for i in range(ADDRESS_FAILURES):
        assert api.login(f"guess{i}@example.org", "password").status_code == 401
    refused = api.login("anna@example.org", "password")
    assert refused.status_code == 429
    login_count = store.get_throttle("login:anna@example.org")
    assert login_count is None or int(login_count.failures) == 0
    clock.advance(seconds=int(refused.headers["Retry-After"]) + 1)
    assert api.login("anna@example.org").status_code == 200


def test_reset_requests_per_login_and_per_address(client) -> None:
    from chalicelib.accounts.throttle import RESET_PER_ADDRESS, RESET_PER_LOGIN

    clock = Clock()
    make_user("anna@example.org", {"patient"})
    api = Api(client)
    answers = [api.post("/auth/password-reset", {"email": "anna@example.org"}) for _ in range(10)]
    assert {a.status_code for a in answers} == {202} and len({a.body for a in answers}) == 1
    assert len(outbox()) == RESET_PER_LOGIN
    # Other people, from the same address: the address's allowance runs out too.
    for i in range(RESET_PER_ADDRESS + 5):
        make_user(f"p{i}@example.org", {"patient"})
        assert api.post("/auth/password-reset", {"email": f"p{i}@example.org"}).status_code == 202
    assert len(outbox()) == RESET_PER_ADDRESS
    # An hour later, the person can ask again.
    clock.advance(hours=1, minutes=1)
    api.post("/auth/password-reset", {"email": "anna@example.org"})
    assert len(outbox()) == RESET_PER_ADDRESS + 1


def test_wrong_current_passwords_are_throttled_too(client) -> None:
    """Changing the password checks the current one: the same claim before the check."""
    Clock()
    make_user("anna@example.org", {"patient"})
    api = Api(client)
    api.login("anna@example.org")
    codes = []
    for _ in range(ACCOUNT_FAILURES + 3):
        codes.append(
            api.post(
                "/me/password", {"current_password": "not it at all", "new_password": "a brand new secret"}
            ).status_code
        )
    assert codes[:ACCOUNT_FAILURES] == [400] * ACCOUNT_FAILURES
    assert set(codes[ACCOUNT_FAILURES:]) == {429}
