"""Accounts in DynamoDB: people and their logins, sessions, one-time tokens,
sign-in throttles, registration requests and card numbers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.config import retention_schedule
from chalicelib.errors import EmailTaken, InvalidResetToken, NotFound
from chalicelib.storage.access import get_or_none, save_if, update_if
from chalicelib.storage.errors import condition_failed, store_errors
from chalicelib.storage.patient_search import keys_of, set_keys
from chalicelib.storage.tables import (
    Counter,
    Login,
    OneTimeToken,
    RegistrationRequest,
    Session,
    Throttle,
    User,
)

# People --------------------------------------------------------------------


def new_user(user_id: str, **values: Any) -> User:
    """A person not stored yet (`create_user` stores them)."""
    return User(user_id, **values)


def create_user(user: User) -> None:
    """Create the person and claim their login in one transaction: emails stay unique.
    A patient's item is written with its search keys (storage.patient_search)."""
    set_keys(user)
    login = Login(user.email, user_id=user.user_id)
    try:
        with (
            store_errors(),
            TransactWrite(connection=User._get_connection().connection, client_request_token=uuid.uuid4().hex) as tx,
        ):
            tx.save(login, condition=Login.email.does_not_exist())
            tx.save(user, condition=User.user_id.does_not_exist())
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise EmailTaken(user.email) from None
        raise


def get_user(user_id: str) -> User | None:
    return get_or_none(User, user_id)


def user_by_login(email: str) -> User | None:
    login = get_or_none(Login, email)
    return get_user(login.user_id) if login else None


def set_password(
    user: User, password_hash: str, *, must_change: bool, temporary_until: dt.datetime | None, changed_at: dt.datetime
) -> None:
    update_if(
        user,
        [
            User.password_hash.set(password_hash),
            User.must_change_password.set(must_change),
            User.temporary_password_expires_at.set(temporary_until)
            if temporary_until
            else User.temporary_password_expires_at.remove(),
            User.password_changed_at.set(changed_at),
        ],
        User.user_id.exists(),
        refused=NotFound("user"),
    )


def update_password_hash(user: User, old_hash: str, new_hash: str) -> None:
    """Re-hash with stronger parameters, unless the password changed meanwhile."""
    update_if(user, [User.password_hash.set(new_hash)], User.password_hash == old_hash)


def add_role(user: User, role: str) -> None:
    """Give a role; a person who becomes a patient gets the search keys in the same write."""
    user.roles = set(user.roles or ()) | {role}
    keys = [getattr(User, name).set(value) for name, value in keys_of(user).items() if value is not None]
    with store_errors():
        user.update(actions=[User.roles.add({role}), *keys], condition=User.user_id.exists())


def set_sms_reminders(user: User, enabled: bool, phone: str | None, at: str) -> None:
    """The patient's consent to SMS reminders and the number they go to; the number is forgotten with the consent."""
    actions = [User.sms_reminders.set(enabled), User.sms_changed_at.set(at)]
    actions.append(User.sms_phone.set(phone) if enabled and phone else User.sms_phone.remove())
    update_if(user, actions, User.user_id.exists(), refused=NotFound("user"))


def next_card_number() -> int:
    with store_errors():
        counter = Counter("medical_card")
        counter.update(actions=[Counter.value.add(1)])
        return int(counter.value)


# Sessions ------------------------------------------------------------------


def session_key(token_hash: str) -> tuple[type[Session], str, None]:
    """The session's key, to read it in one batch with other items (storage.batch.get_many)."""
    return (Session, token_hash, None)


def start_session(token_hash: str, user_id: str, at: dt.datetime, expires: dt.datetime, **snapshot: Any) -> None:
    put_session(
        Session(
            token_hash,
            user_id=user_id,
            created_at=at,
            last_seen_at=at,
            expires_at=expires,
            ttl=retention_schedule().expired_sessions.after(expires),  # removed by TTL this long after it ends
            **snapshot,
        )
    )


def put_session(session: Session) -> None:
    """A new session under a fresh random token. If the condition fails, the likeliest reason by far is
    our own write arriving twice (the SDK retried after an answer was lost): that is success."""
    try:
        with store_errors():
            session.save(condition=Session.token_hash.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
        stored = get_or_none(Session, session.token_hash)
        if stored is None or stored.user_id != session.user_id or stored.created_at != session.created_at:
            raise


def get_session(token_hash: str) -> Session | None:
    """Read consistently: a session ended a moment ago (logout, password change) must not resolve."""
    return get_or_none(Session, token_hash)


def touch_session(session: Session, seen_at: dt.datetime) -> None:
    update_if(session, [Session.last_seen_at.set(seen_at)], Session.token_hash.exists())


def delete_session(token_hash: str) -> None:
    with store_errors():
        Session(token_hash).delete()


def update_sessions_of(user_id: str, values: dict[str, object]) -> None:
    with store_errors():
        entries = list(Session.by_user.query(user_id))
    for entry in entries:
        update_if(
            Session(entry.token_hash),
            [getattr(Session, name).set(value) for name, value in values.items()],
            Session.token_hash.exists(),
        )


def delete_sessions_of(user_id: str, keep: str | None = None, *, refresh: dict[str, object] | None = None) -> int:
    """End the person's sessions but `keep`; `refresh`: values copied into the kept one (no second query)."""
    ended = 0
    with store_errors():
        for entry in Session.by_user.query(user_id):
            if entry.token_hash != keep:
                Session(entry.token_hash).delete()
                ended += 1
    if keep is not None and refresh is not None:
        update_if(
            Session(keep),
            [getattr(Session, name).set(value) for name, value in refresh.items()],
            Session.token_hash.exists(),
        )
    return ended


# One-time tokens -----------------------------------------------------------


def put_token(token_hash: str, kind: str, user_id: str, expires_at: dt.datetime, ttl: dt.datetime) -> None:
    token = OneTimeToken(token_hash, kind=kind, user_id=user_id, expires_at=expires_at, ttl=ttl)
    with store_errors():
        token.save(condition=OneTimeToken.token_hash.does_not_exist())


def get_token(token_hash: str) -> OneTimeToken | None:
    return get_or_none(OneTimeToken, token_hash)


def consume_token(token: OneTimeToken, now: dt.datetime) -> None:
    """Mark used; refused when already used or expired (DynamoDB TTL is late, so the condition checks)."""
    update_if(
        token,
        [OneTimeToken.used_at.set(now)],
        OneTimeToken.used_at.does_not_exist() & (OneTimeToken.expires_at > now),
        refused=InvalidResetToken("used or expired"),
    )


def delete_tokens(tokens: Iterable[OneTimeToken]) -> None:
    with store_errors():
        for token in tokens:
            token.delete()


# Throttles -----------------------------------------------------------------


def get_throttle(key: str) -> Throttle | None:
    return get_or_none(Throttle, key)


def count_attempt(key: str, now: dt.datetime, window: dt.timedelta, limit: int) -> Throttle | None:
    """Count one attempt, in one conditional write, while fewer than `limit` are counted in the current
    window and no delay runs; None when refused. A window that ended starts afresh."""
    cutoff = now - window
    expires = now + window + dt.timedelta(hours=1)
    not_blocked = Throttle.blocked_until.does_not_exist() | (Throttle.blocked_until <= now)
    within = (Throttle.window_started_at >= cutoff) & (Throttle.failures < limit) & not_blocked
    for _ in range(2):
        item = Throttle(key)
        # No item yet: the same write opens the window (with one attempt counted), as the put below would.
        if update_if(
            item,
            [
                Throttle.failures.set((Throttle.failures | 0) + 1),
                Throttle.window_started_at.set(Throttle.window_started_at | now),
                Throttle.strikes.set(Throttle.strikes | 0),
                Throttle.ttl.set(expires),
            ],
            (Throttle.key.does_not_exist() | within) if limit >= 1 else within,
        ):
            return item
        if limit < 1:
            return None
        fresh = Throttle(key, window_started_at=now, failures=1, strikes=0, ttl=expires)
        if save_if(fresh, Throttle.key.does_not_exist() | ((Throttle.window_started_at < cutoff) & not_blocked)):
            return fresh
        # Someone opened the window a moment ago: try once more to count in it.
    return None


def count_attempt_after_delay(
    seen: Throttle, now: dt.datetime, window: dt.timedelta, next_block: dt.datetime
) -> Throttle | None:
    """Count the one attempt allowed past the allowance, and start the delay that its failure brings at once;
    only when the item is still as `seen` and no delay runs. None when someone else was first."""
    unchanged = (Throttle.failures == int(seen.failures)) & (Throttle.window_started_at == seen.window_started_at)
    not_blocked = Throttle.blocked_until.does_not_exist() | (Throttle.blocked_until <= now)
    item = Throttle(seen.key)
    counted = update_if(
        item,
        [
            Throttle.failures.add(1),
            Throttle.blocked_until.set(next_block),
            Throttle.strikes.add(1),
            Throttle.ttl.set(now + window + dt.timedelta(hours=1)),
        ],
        unchanged & not_blocked,
    )
    return item if counted else None


def give_back_attempt(key: str, window_started_at: dt.datetime, blocked_until: dt.datetime | None) -> None:
    """Uncount an attempt that was never judged (or that succeeded), in the window it was counted in;
    lift the delay it started, unless another attempt has moved it since."""
    same_window = (Throttle.window_started_at == window_started_at) & (Throttle.failures > 0)
    if blocked_until is not None and update_if(
        Throttle(key),
        [Throttle.failures.add(-1), Throttle.blocked_until.remove()],
        same_window & (Throttle.blocked_until == blocked_until),
    ):
        return
    update_if(Throttle(key), [Throttle.failures.add(-1)], same_window)


def clear_throttle(key: str) -> None:
    with store_errors():
        Throttle(key).delete()


# Registration requests -----------------------------------------------------


def put_request(request_id: str, **values: Any) -> RegistrationRequest:
    request = RegistrationRequest(request_id, **values)
    with store_errors():
        request.save(condition=RegistrationRequest.request_id.does_not_exist())
    return request


def get_request(request_id: str) -> RegistrationRequest | None:
    return get_or_none(RegistrationRequest, request_id)


def requests_with_status(status: str, limit: int = 200) -> list[RegistrationRequest]:
    with store_errors():
        return list(RegistrationRequest.by_status.query(status, scan_index_forward=False, limit=limit))


def set_request_status(request: RegistrationRequest, status: str, expected: str, by: str, at: str) -> bool:
    """Move a request on from `expected`; False when someone else already did."""
    return update_if(
        request,
        [
            RegistrationRequest.status.set(status),
            RegistrationRequest.handled_by.set(by),
            RegistrationRequest.handled_at.set(at),
        ],
        RegistrationRequest.status == expected,
    )
