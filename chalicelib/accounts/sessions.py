"""Sessions: an opaque token (the web edge puts it in a cookie), only its hash stored; idle and absolute limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from chalicelib.accounts.tokens import new_token, token_hash
from chalicelib.clock import now
from chalicelib.storage import accounts as store
from chalicelib.storage.access import plain
from chalicelib.storage.batch import get_many
from chalicelib.storage.records import Session, User

IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
# last_seen is written at most this often, so reads stay cheap.
TOUCH_EVERY = dt.timedelta(seconds=60)
# The forced change right after signing in with the temporary password does not ask for that password again
# (the sign-in a moment ago proved it): only in that session, and only this long after it started.
TEMPORARY_SIGN_IN_PROVES_FOR = dt.timedelta(minutes=15)


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
    # When the session started, and whether the sign-in that started it was with the temporary password.
    started_at: dt.datetime | None = None
    temporary_sign_in: bool = False

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def proved_temporary_password_lately(self) -> bool:
        """This session began with the temporary password a short while ago (`TEMPORARY_SIGN_IN_PROVES_FOR`)."""
        return (
            self.temporary_sign_in
            and self.started_at is not None
            and now() - self.started_at <= TEMPORARY_SIGN_IN_PROVES_FOR
        )


def _snapshot(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "roles": set(user.roles or ()),
        "must_change_password": bool(user.must_change_password),
        "signed_documents": plain(user.signed_documents),
    }


def start(user: User) -> str:
    """A new session for `user`: its token, for the cookie (which lives as long as the session may)."""
    token = new_token()
    current = now()
    store.start_session(
        token_hash(token),
        user.user_id,
        current,
        current + ABSOLUTE_TIMEOUT,
        temporary_sign_in=bool(user.must_change_password),
        **_snapshot(user),
    )
    return token


def resolve(token: str | None) -> Principal | None:
    """The person behind a cookie token, or None when it is unknown, idle too long or too old."""
    if not token or len(token) > 128:
        return None
    hashed = token_hash(token)
    return principal_of(store.get_session(hashed))


def resolve_with(token: str | None, keys: list[Any]) -> tuple[Principal | None, dict[Any, Any]]:
    """Like `resolve`, reading `keys` (model, hash, range) in the same round trip."""
    if not token or len(token) > 128:
        return None, get_many(keys) if keys else {}
    hashed = token_hash(token)
    session_key = store.session_key(hashed)
    found = get_many([session_key, *keys])
    session = found.pop(session_key, None)
    return principal_of(cast("Session | None", session)), found


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
        session.created_at,
        bool(session.temporary_sign_in),
    )


def limits(started_at: dt.datetime | None = None) -> dict[str, Any]:
    """When a session started at `started_at` (now: a new one) ends by itself: after `idle_seconds` without a
    request (the last one counted to within `touch_seconds`), and at `ends_at` whatever happens."""
    started = started_at or now()
    return {
        "idle_seconds": int(IDLE_TIMEOUT.total_seconds()),
        "touch_seconds": int(TOUCH_EVERY.total_seconds()),
        "ends_at": started + ABSOLUTE_TIMEOUT,
    }


def end(principal: Principal) -> None:
    store.delete_session(principal.session_hash)


def end_others(user_id: str, keep: str | None = None) -> int:
    return store.delete_sessions_of(user_id, keep)


def end_others_and_refresh(user: User, keep: str) -> int:
    """`end_others`, then `refresh` of the one session left, by its key (its temporary sign-in is behind it)."""
    return store.delete_sessions_of(user.user_id, keep, refresh={**_snapshot(user), "temporary_sign_in": False})


def refresh(user: User) -> None:
    """Copy the person's current roles, name and documents into each of their sessions."""
    store.update_sessions_of(user.user_id, _snapshot(user))
