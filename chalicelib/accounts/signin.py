"""Signing in and out, changing and resetting passwords."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib import mail
from chalicelib.accounts import passwords, sessions, throttle
from chalicelib.accounts.sessions import Principal
from chalicelib.accounts.tokens import new_token, token_hash
from chalicelib.clock import now
from chalicelib.config import retention_schedule, settings
from chalicelib.errors import (
    InvalidCredentials,
    InvalidResetToken,
    TemporaryPasswordExpired,
    ValidationFailed,
)
from chalicelib.i18n import t
from chalicelib.logs import log_event
from chalicelib.storage import accounts as store
from chalicelib.storage.records import User
from chalicelib.timefmt import format_datetime

RESET_VALID_FOR = dt.timedelta(minutes=60)


def normalize_login(login: str) -> str:
    return login.strip().lower()


def user_view(user: User | Principal) -> dict[str, Any]:
    return {
        "id": user.user_id,
        "full_name": user.full_name,
        "email": user.email,
        "roles": sorted(user.roles or ()),
        "must_change_password": bool(user.must_change_password),
    }


def sign_in(login: str, password: str, address: str) -> tuple[User, str]:
    """Check the credentials; the person and the token of a new session.

    An unknown login and a wrong password fail alike and take the same time.
    """
    login = normalize_login(login)
    attempt = throttle.claim(login, address)
    try:
        user = store.user_by_login(login) if login else None
        if user is None or not user.password_hash:
            passwords.burn_verification_time(password)
            ok = False
        else:
            ok = passwords.verify_password(password, user.password_hash)
    except BaseException:
        attempt.not_judged()
        raise
    if not ok or user is None:
        attempt.failed()
        log_event("sign_in_failed")
        raise InvalidCredentials()
    attempt.succeeded()
    if user.must_change_password and user.temporary_password_expires_at and user.temporary_password_expires_at <= now():
        raise TemporaryPasswordExpired()
    if passwords.needs_rehash(user.password_hash):
        store.update_password_hash(user, user.password_hash, passwords.hash_password(password))
    token = sessions.start(user)
    log_event("signed_in", user_id=user.user_id)
    return user, token


def sign_out(principal: Principal) -> None:
    sessions.end(principal)


def change_password(principal: Principal, current_password: str | None, new_password: str, address: str) -> None:
    """Set a new password; the person's other sessions end.

    The current password is asked for and checked (throttled), except in the forced change right after
    signing in with the temporary password: that session, while the change is still required and
    within `sessions.TEMPORARY_SIGN_IN_PROVES_FOR` of the sign-in, has just proved it.
    """
    user = store.user_by_login(principal.email)
    if user is None or user.user_id != principal.user_id:
        raise InvalidCredentials()
    if current_password:
        _check_current_password(user, current_password, address)
        same = current_password == new_password
    elif _forced_change_just_after_sign_in(principal, user):
        # The emailed password must not stay the person's own.
        same = passwords.verify_password(new_password, user.password_hash)
    else:
        minutes = int(sessions.TEMPORARY_SIGN_IN_PROVES_FOR.total_seconds() // 60)
        reason = (
            t("passwords.temporary_needed", minutes=minutes)
            if user.must_change_password
            else t("passwords.current_needed")
        )
        raise ValidationFailed("current password needed", fields={"current_password": reason})
    if same:
        raise ValidationFailed("same password", fields={"new_password": t("passwords.same_as_current")})
    passwords.check_new_password(new_password, user.email)
    # The write leaves `user` as stored after it (ReturnValues ALL_NEW): what the session is refreshed with.
    store.set_password(
        user, passwords.hash_password(new_password), must_change=False, temporary_until=None, changed_at=now()
    )
    sessions.end_others_and_refresh(user, keep=principal.session_hash)
    log_event("password_changed", user_id=user.user_id)


def _forced_change_just_after_sign_in(principal: Principal, user: User) -> bool:
    temporary_valid = user.temporary_password_expires_at is None or user.temporary_password_expires_at > now()
    return bool(user.must_change_password) and temporary_valid and principal.proved_temporary_password_lately()


def _check_current_password(user: User, current_password: str, address: str) -> None:
    attempt = throttle.claim(user.email, address)
    try:
        ok = bool(user.password_hash) and passwords.verify_password(current_password, user.password_hash)
    except BaseException:
        attempt.not_judged()
        raise
    if not ok:
        attempt.failed()
        raise ValidationFailed("wrong current password", fields={"current_password": t("passwords.wrong_current")})
    attempt.succeeded()


def request_password_reset(email: str, address: str = "") -> None:
    """Email a single-use link when the account exists and the requests for this login and from this
    address are within their allowance; say nothing either way."""
    login = normalize_login(email)
    if not throttle.may_send_reset(login, address):
        return
    user = store.user_by_login(login)
    if user is None:
        passwords.burn_verification_time(email)
        return
    token = new_token()
    expires = now() + RESET_VALID_FOR
    keep_until = retention_schedule().used_tokens.after(expires)  # then removed by TTL
    store.put_token(token_hash(token), "password_reset", user.user_id, expires_at=expires, ttl=keep_until)
    mail.send(
        user.email,
        "password_reset",
        {
            "full_name": user.full_name,
            "reset_url": f"{settings().public_base_url}/reset-password#token={token}",
            "valid_until": format_datetime(expires),
        },
    )
    log_event("password_reset_sent", user_id=user.user_id)


def confirm_password_reset(token: str, new_password: str) -> None:
    """Set the password from a reset link; the link dies and every session of the person ends."""
    record = store.get_token(token_hash(token)) if token else None
    if record is None or record.kind != "password_reset" or record.used_at is not None or record.expires_at <= now():
        raise InvalidResetToken()
    user = store.get_user(record.user_id)
    if user is None:
        raise InvalidResetToken()
    passwords.check_new_password(new_password, user.email)
    store.consume_token(record, now())
    store.set_password(
        user, passwords.hash_password(new_password), must_change=False, temporary_until=None, changed_at=now()
    )
    sessions.end_others(user.user_id)
    log_event("password_reset_done", user_id=user.user_id)
