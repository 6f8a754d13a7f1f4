"""Small helpers for API tests through the Chalice test client."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from chalicelib.clock import now, set_clock


def make_user(
    email: str,
    roles: set[str],
    password: str = "correct horse battery",
    *,
    full_name: str = "Тестовый Пользователь",
    must_change: bool = False,
) -> Any:
    from chalicelib.accounts import passwords
    from chalicelib.storage import accounts as store
    from chalicelib.storage.tables import User

    user = User(
        uuid.uuid4().hex,
        email=email.strip().lower(),
        full_name=full_name,
        roles=roles,
        must_change_password=must_change,
        password_hash=passwords.hash_password(password),
        created_at=now(),
    )
    store.create_user(user)
    return user


class Api:
    """JSON calls with a cookie jar of one session."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.cookie: str | None = None

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if self.cookie:
            all_headers["Cookie"] = self.cookie
        payload = json.dumps(body) if body is not None else None
        response = getattr(self.client.http, method.lower())(path, headers=all_headers, body=payload)
        set_cookie = response.headers.get("Set-Cookie") or response.headers.get("set-cookie")
        if set_cookie:
            pair = set_cookie.split(";", 1)[0]
            self.cookie = pair if pair.split("=", 1)[1] else None
        content_type = response.headers.get("Content-Type") or response.headers.get("content-type") or ""
        response.json = json.loads(response.body) if response.body and "json" in content_type else None
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body if body is not None else {}, **kw)

    def login(self, email: str, password: str = "correct horse battery") -> Any:
        return self.post("/auth/login", {"login": email, "password": password})


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.current = start or dt.datetime.now(dt.UTC)
        set_clock(lambda: self.current)

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)


def outbox() -> list[dict[str, Any]]:
    from chalicelib.devtools.outbox import messages

    return messages()


def password_in(text: str) -> str:
    match = re.search(r"^Пароль: (\S+)$", text, re.M)
    assert match, text
    return match.group(1)


def link_in(text: str, path: str) -> str:
    match = re.search(r"https?://\S+" + re.escape(path) + r"\S*", text)
    assert match, text
    return match.group(0)


def set_own_password(login: str, password: str) -> None:
    """The person behind `login` (a doctor whose credentials went by email) has chosen `password` already."""
    from chalicelib.accounts import passwords
    from chalicelib.storage import accounts as store

    user = store.user_by_login(login)
    store.set_password(
        user, passwords.hash_password(password), must_change=False, temporary_until=None, changed_at=user.created_at
    )
