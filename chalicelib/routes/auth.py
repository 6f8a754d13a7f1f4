"""Signing in and out, the person's own profile and password, password reset."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.accounts import sessions, signin, tokens
from chalicelib.web import cookies
from chalicelib.web.access import ANYONE, ANYONE_ANY_STATE, SIGNED_IN_ANY_STATE
from chalicelib.web.routing import Call, Endpoints, Model, Reply

bp = Blueprint(__name__)
api = Endpoints(bp, "accounts")


@api.post(
    "/auth/login",
    access=ANYONE,
    summary="Sign in with login (email) and password",
    body=Model("accounts.LoginRequest"),
    response=Model("accounts.SignedIn"),
    errors=("invalid_credentials", "temporary_password_expired", "too_many_requests"),
)
def login(call: Call) -> Reply:
    user, token = signin.sign_in(call.body["login"], call.body["password"], call.ip)
    return Reply({"user": signin.user_view(user), "limits": sessions.limits()}, cookies=[cookies.session_cookie(token)])


@api.post(
    "/auth/logout",
    access=SIGNED_IN_ANY_STATE,
    summary="Sign out; the session ends server-side",
    ok=204,
    errors=("not_signed_in",),
)
def logout(call: Call) -> Reply:
    signin.sign_out(call.principal)
    return Reply(None, status=204, cookies=[cookies.clearing_cookie()])


@api.get(
    "/me",
    access=SIGNED_IN_ANY_STATE,
    summary="The signed-in person",
    response=Model("accounts.User"),
    errors=("not_signed_in",),
)
def me(call: Call) -> dict[str, Any]:
    return signin.user_view(call.principal)


@api.get(
    "/session",
    access=ANYONE_ANY_STATE,
    summary="Who is signed in: the person, or null for a visitor (200 either way)",
    response=Model("accounts.CurrentSession"),
)
def current_session(call: Call) -> dict[str, Any]:
    principal = call.principal
    if principal is None:
        return {"user": None, "limits": None}
    return {"user": signin.user_view(principal), "limits": sessions.limits(principal.started_at)}


@api.post(
    "/me/password",
    access=SIGNED_IN_ANY_STATE,
    summary="Change one's password (no current one right after a temporary-password sign-in); other sessions end",
    ok=204,
    body=Model("accounts.PasswordChange"),
    errors=("not_signed_in", "too_many_requests"),
)
def change_password(call: Call) -> None:
    signin.change_password(call.principal, call.body.get("current_password"), call.body["new_password"], call.ip)


@api.post(
    "/auth/password-reset",
    access=ANYONE,
    summary="Email a reset link if the account exists (always 202)",
    ok=202,
    body=Model("accounts.PasswordResetRequest"),
    response=Model("accounts.Accepted"),
)
def password_reset(call: Call) -> Reply:
    signin.request_password_reset(call.body["email"], call.ip)
    return Reply({"status": "accepted"}, status=202)


@api.post(
    "/auth/password-reset/confirm",
    access=ANYONE,
    summary="Set a new password with a reset link's token",
    ok=204,
    body=Model("accounts.PasswordReset"),
    errors=("invalid_reset_token",),
)
def password_reset_confirm(call: Call) -> None:
    signin.confirm_password_reset(call.body["token"], call.body["new_password"])


@api.post(
    "/auth/password-reset/check",
    access=ANYONE,
    summary="Whether a reset link still works, before the new password is typed; the link stays unused",
    body=Model("accounts.ResetLinkCheck"),
    response=Model("accounts.ResetLinkState"),
    errors=("too_many_requests",),
)
def password_reset_check(call: Call) -> dict[str, Any]:
    """The token travels in the body (the link keeps it in its fragment): out of every log."""
    return {"state": tokens.reset_link_state(call.body["token"], call.ip)}
