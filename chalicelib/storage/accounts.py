"""Accounts in DynamoDB: people and their logins, sessions, one-time tokens,
sign-in throttles, registration requests and card numbers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.errors import EmailTaken, InvalidResetToken, NotFound
from chalicelib.storage.errors import condition_failed, store_errors
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


def create_user(user: User) -> None:
    """Create the person and claim their login in one transaction: emails stay unique."""
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
    with store_errors():
        try:
            return User.get(user_id, consistent_read=True)
        except DoesNotExist:
            return None


def user_by_login(email: str) -> User | None:
    with store_errors():
        try:
            login = Login.get(email, consistent_read=True)
        except DoesNotExist:
            return None
    return get_user(login.user_id)


def set_password(
    user: User, password_hash: str, *, must_change: bool, temporary_until: dt.datetime | None, changed_at: dt.datetime
) -> None:
    try:
        with store_errors():
            user.update(
                actions=[
                    User.password_hash.set(password_hash),
                    User.must_change_password.set(must_change),
                    User.temporary_password_expires_at.set(temporary_until)
                    if temporary_until
                    else User.temporary_password_expires_at.remove(),
                    User.password_changed_at.set(changed_at),
                ],
                condition=User.user_id.exists(),
            )
    except UpdateError as exc:
        if condition_failed(exc):
            raise NotFound("user") from None
        raise


def update_password_hash(user: User, old_hash: str, new_hash: str) -> None:
    """Re-hash with stronger parameters, unless the password changed meanwhile."""
    try:
        with store_errors():
            user.update(actions=[User.password_hash.set(new_hash)], condition=User.password_hash == old_hash)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def add_role(user: User, role: str) -> None:
    with store_errors():
        user.update(actions=[User.roles.add({role})], condition=User.user_id.exists())


def next_card_number() -> int:
    with store_errors():
        counter = Counter("medical_card")
        counter.update(actions=[Counter.value.add(1)])
        return int(counter.value)


# Sessions ------------------------------------------------------------------


def put_session(session: Session) -> None:
    """A new session under a fresh random token. If the condition fails, the likeliest reason by far is
    our own write arriving twice (the SDK retried after an answer was lost): that is success."""
    try:
        with store_errors():
            session.save(condition=Session.token_hash.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
        with store_errors():
            try:
                stored = Session.get(session.token_hash, consistent_read=True)
            except DoesNotExist:
                stored = None
        if stored is None or stored.user_id != session.user_id or stored.created_at != session.created_at:
            raise


def get_session(token_hash: str) -> Session | None:
    """Read consistently: a session ended a moment ago (logout, password change) must not resolve."""
    with store_errors():
        try:
            return Session.get(token_hash, consistent_read=True)
        except DoesNotExist:
            return None


def touch_session(session: Session, seen_at: dt.datetime) -> None:
    try:
        with store_errors():
            session.update(actions=[Session.last_seen_at.set(seen_at)], condition=Session.token_hash.exists())
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def delete_session(token_hash: str) -> None:
    with store_errors():
        Session(token_hash).delete()


def update_sessions_of(user_id: str, values: dict[str, object]) -> None:
    with store_errors():
        for entry in Session.by_user.query(user_id):
            try:
                Session(entry.token_hash).update(
                    actions=[getattr(Session, name).set(value) for name, value in values.items()],
                    condition=Session.token_hash.exists(),
                )
            except UpdateError as exc:
                if not condition_failed(exc):
                    raise


def delete_sessions_of(user_id: str, keep: str | None = None) -> int:
    ended = 0
    with store_errors():
        for entry in Session.by_user.query(user_id):
            if entry.token_hash != keep:
                Session(entry.token_hash).delete()
                ended += 1
    return ended


# One-time tokens -----------------------------------------------------------


def put_token(token: OneTimeToken) -> None:
    with store_errors():
        token.save(condition=OneTimeToken.token_hash.does_not_exist())


def get_token(token_hash: str) -> OneTimeToken | None:
    with store_errors():
        try:
            return OneTimeToken.get(token_hash, consistent_read=True)
        except DoesNotExist:
            return None


def consume_token(token: OneTimeToken, now: dt.datetime) -> None:
    """Mark used; refused when already used or expired (DynamoDB TTL is late, so the condition checks)."""
    try:
        with store_errors():
            token.update(
                actions=[OneTimeToken.used_at.set(now)],
                condition=OneTimeToken.used_at.does_not_exist() & (OneTimeToken.expires_at > now),
            )
    except UpdateError as exc:
        if condition_failed(exc):
            raise InvalidResetToken("used or expired") from None
        raise


def delete_tokens(tokens: Iterable[OneTimeToken]) -> None:
    with store_errors():
        for token in tokens:
            token.delete()


# Throttles -----------------------------------------------------------------


def get_throttle(key: str) -> Throttle | None:
    with store_errors():
        try:
            return Throttle.get(key, consistent_read=True)
        except DoesNotExist:
            return None


def count_attempt(key: str, now: dt.datetime, window: dt.timedelta, limit: int) -> Throttle | None:
    """Count one attempt, in one conditional write, while fewer than `limit` are counted in the current
    window and no delay runs; None when refused. A window that ended starts afresh."""
    cutoff = now - window
    expires = now + window + dt.timedelta(hours=1)
    not_blocked = Throttle.blocked_until.does_not_exist() | (Throttle.blocked_until <= now)
    with store_errors():
        for _ in range(2):
            item = Throttle(key)
            try:
                item.update(
                    actions=[Throttle.failures.add(1), Throttle.ttl.set(expires)],
                    condition=(Throttle.window_started_at >= cutoff) & (Throttle.failures < limit) & not_blocked,
                )
                return item
            except UpdateError as exc:
                if not condition_failed(exc):
                    raise
            if limit < 1:
                return None
            fresh = Throttle(key, window_started_at=now, failures=1, strikes=0, ttl=expires)
            try:
                fresh.save(
                    condition=Throttle.key.does_not_exist() | ((Throttle.window_started_at < cutoff) & not_blocked)
                )
                return fresh
            except PutError as exc:
                if not condition_failed(exc):
                    raise
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
    try:
        with store_errors():
            item.update(
                actions=[
                    Throttle.failures.add(1),
                    Throttle.blocked_until.set(next_block),
                    Throttle.strikes.add(1),
                    Throttle.ttl.set(now + window + dt.timedelta(hours=1)),
                ],
                condition=unchanged & not_blocked,
            )
        return item
    except UpdateError as exc:
        if condition_failed(exc):
            return None
        raise


def give_back_attempt(key: str, window_started_at: dt.datetime, blocked_until: dt.datetime | None) -> None:
    """Uncount an attempt that was never judged (or that succeeded), in the window it was counted in;
    lift the delay it started, unless another attempt has moved it since."""
    same_window = (Throttle.window_started_at == window_started_at) & (Throttle.failures > 0)
    with store_errors():
        if blocked_until is not None:
            try:
                Throttle(key).update(
                    actions=[Throttle.failures.add(-1), Throttle.blocked_until.remove()],
                    condition=same_window & (Throttle.blocked_until == blocked_until),
                )
                return
            except UpdateError as exc:
                if not condition_failed(exc):
                    raise
        try:
            Throttle(key).update(actions=[Throttle.failures.add(-1)], condition=same_window)
        except UpdateError as exc:
            if not condition_failed(exc):
                raise


def clear_throttle(key: str) -> None:
    with store_errors():
        Throttle(key).delete()


# Registration requests -----------------------------------------------------


def put_request(request: RegistrationRequest) -> None:
    with store_errors():
        request.save(condition=RegistrationRequest.request_id.does_not_exist())


def get_request(request_id: str) -> RegistrationRequest | None:
    with store_errors():
        try:
            return RegistrationRequest.get(request_id, consistent_read=True)
        except DoesNotExist:
            return None


def requests_with_status(status: str, limit: int = 200) -> list[RegistrationRequest]:
    with store_errors():
        return list(RegistrationRequest.by_status.query(status, scan_index_forward=False, limit=limit))


def set_request_status(request: RegistrationRequest, status: str, expected: str, by: str, at: str) -> bool:
    """Move a request on from `expected`; False when someone else already did."""
    try:
        with store_errors():
            request.update(
                actions=[
                    RegistrationRequest.status.set(status),
                    RegistrationRequest.handled_by.set(by),
                    RegistrationRequest.handled_at.set(at),
                ],
                condition=RegistrationRequest.status == expected,
            )
        return True
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
