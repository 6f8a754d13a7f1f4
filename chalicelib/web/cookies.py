"""The session cookie: its name and the Set-Cookie values that start and end it."""

from __future__ import annotations

from chalicelib.accounts.sessions import ABSOLUTE_TIMEOUT
from chalicelib.config import settings


def cookie_name() -> str:
    # The __Host- prefix pins the cookie to this origin over HTTPS; the local
    # stack serves plain http://127.0.0.1, where browsers refuse that prefix.
    return "session" if settings().is_local else "__Host-session"


def cookie(token: str, max_age: int) -> str:
    return f"{cookie_name()}={token}; Max-Age={max_age}; Path=/; Secure; HttpOnly; SameSite=Lax"


def session_cookie(token: str) -> str:
    """A new session's cookie, kept by the browser as long as the session may live."""
    return cookie(token, int(ABSOLUTE_TIMEOUT.total_seconds()))


def clearing_cookie() -> str:
    return cookie("", 0)
