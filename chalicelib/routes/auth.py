"""Signing in and out, the person's own profile and password, password reset."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.web.access import ANYONE, SIGNED_IN_ANY_STATE
from chalicelib.web.routing import Call, Endpoints, Reply
from chalicelib.web.schema import Obj, Str

bp = Blueprint(__name__)
api = Endpoints(bp, "accounts")

USER = {
    "type": "object",
    "required": ["id", "full_name", "email", "roles", "must_change_password"],
    "properties": {
        "id": {"type": "string"},
        "full_name": {"type": "string"},
        "email": {"type": "string"},
        "roles": {"type": "array", "items": {"type": "string", "enum": ["patient", "doctor", "registrar", "admin"]}},
        "must_change_password": {"type": "boolean"},
    },
}
PASSWORD = Str(max_len=1024, strip=False)


@api.post(
    "/auth/login",
    access=ANYONE,
    summary="Sign in with login (email) and password",
    body=Obj(fields={"login": Str(max_len=254), "password": PASSWORD}),
    response={"type": "object", "required": ["user"], "properties": {"user": USER}},
    errors=("invalid_credentials", "temporary_password_expired", "too_many_requests"),
)
def login(call: Call) -> Reply:
    from chalicelib.accounts import signin
    from chalicelib.web import cookies

    user, token = signin.sign_in(call.body["login"], call.body["password"], call.ip)
    return Reply({"user": signin.user_view(user)}, cookies=[cookies.session_cookie(token)])


@api.post(
    "/auth/logout",
    access=SIGNED_IN_ANY_STATE,
    summary="Sign out; the session ends server-side",
    ok=204,
    errors=("not_signed_in",),
)
def logout(call: Call) -> Reply:
    from chalicelib.accounts import signin
    from chalicelib.web import cookies

    signin.sign_out(call.principal)
    return Reply(None, status=204, cookies=[cookies.clearing_cookie()])


@api.get("/me", access=SIGNED_IN_ANY_STATE, summary="The signed-in person", response=USER, errors=("not_signed_in",))
def me(call: Call) -> dict[str, Any]:
    from chalicelib.accounts import signin

    return signin.user_view(call.principal)


@api.post(
    "/me/password",
    access=SIGNED_IN_ANY_STATE,
    summary="Change one's password; other sessions end",
    ok=204,
    body=Obj(fields={"current_password": PASSWORD, "new_password": PASSWORD}),
    errors=("not_signed_in", "too_many_requests"),
)
def change_password(call: Call) -> None:
    from chalicelib.accounts import signin

    signin.change_password(call.principal, call.body["current_password"], call.body["new_password"], call.ip)


@api.post(
    "/auth/password-reset",
    access=ANYONE,
    summary="Email a reset link if the account exists (always 202)",
    ok=202,
    body=Obj(fields={"email": Str(max_len=254)}),
    response={
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"type": "string", "enum": ["accepted"]}},
    },
)
def password_reset(call: Call) -> Reply:
    from chalicelib.accounts import signin

    signin.request_password_reset(call.body["email"], call.ip)
    return Reply({"status": "accepted"}, status=202)


@api.post(
    "/auth/password-reset/confirm",
    access=ANYONE,
    summary="Set a new password with a reset link's token",
    ok=204,
    body=Obj(fields={"token": Str(max_len=256), "new_password": PASSWORD}),
    errors=("invalid_reset_token",),
)
def password_reset_confirm(call: Call) -> None:
    from chalicelib.accounts import signin

    signin.confirm_password_reset(call.body["token"], call.body["new_password"])
