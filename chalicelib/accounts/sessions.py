"""Sessions: an opaque cookie token, only its hash stored; idle and absolute limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from chalicelib.accounts.tokens import new_token, token_hash
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.storage import accounts as store
from chalicelib.storage.tables import Session, User, plain

IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
# last_seen is written at most this often, so reads stay cheap.
TOUCH_EVERY = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in person."""

    user_id: str
    email: str
    full_name: str
    roles: frozenset[str]
    must_change_password: bool
    session_hash: str
    signed_documents: dict[str, str]

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def _snapshot(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "roles": set(user.roles or ()),
        "must_change_password": bool(user.must_change_password),
        "signed_documents": plain(user.signed_documents),
    }


def cookie_name() -> str:
    # The __Host- prefix pins the cookie to this origin over HTTPS; the local
    # stack serves plain http://127.0.0.1, where browsers refuse that prefix.
    return "session" if settings().is_local else "__Host-session"


def cookie(token: str, max_age: int) -> str:
    return f"{cookie_name()}={token}; Max-Age={max_age}; Path=/; Secure; HttpOnly; SameSite=Lax"


def clearing_cookie() -> str:
    return cookie("", 0)


def start(user: User) -> tuple[str, str]:
    """A new session for `user`: (token for the cookie, Set-Cookie value)."""
    token = new_token()
    current = now()
    store.put_session(
        Session(
            token_hash(token),
            user_id=user.user_id,
            created_at=current,
            last_seen_at=current,
            expires_at=current + ABSOLUTE_TIMEOUT,
            ttl=current + ABSOLUTE_TIMEOUT,
            **_snapshot(user),
        )
    )
    return token, cookie(token, int(ABSOLUTE_TIMEOUT.total_seconds()))


def resolve(token: str | None) -> Principal | None:
    """The person behind a cookie token, or None when it is unknown, idle too long or too old."""
    if not token or len(token) > 128:
        return None
    hashed = token_hash(token)
    return principal_of(store.get_session(hashed))


def resolve_with(token: str | None, keys: list[Any]) -> tuple[Principal | None, dict[Any, Any]]:
    """Like `resolve`, reading `keys` (model, hash, range) in the same round trip."""
    from chalicelib.storage.batch import get_many

    if not token or len(token) > 128:
        return None, get_many(keys) if keys else {}
    hashed = token_hash(token)
    session_key = (Session, hashed, None)
    found = get_many([session_key, *keys])
    session = found.pop(session_key, None)
    return principal_of(session), found


def principal_of(session: Session | None) -> Principal | None:
    if session is None:
        return None
    hashed = session.token_hash
    current = now()
    if current >= session.expires_at or current - session.last_seen_at >= IDLE_TIMEOUT:
        store.delete_session(hashed)
        return None
    if current - session.last_seen_at >= TOUCH_EVERY:
        store.touch_session(session, current)
    return Principal(
        session.user_id,
        session.email,
        session.full_name,
        frozenset(session.roles or ()),
        bool(session.must_change_password),
        hashed,
        plain(session.signed_documents),
    )


def end(principal: Principal) -> None:
    store.delete_session(principal.session_hash)


def end_others(user_id: str, keep: str | None = None) -> int:
    return store.delete_sessions_of(user_id, keep)


def refresh(user: User) -> None:
    """Copy the person's current roles, name and documents into each of their sessions."""
    store.update_sessions_of(user.user_id, _snapshot(user))
