"""Signing in, the person's own profile and password, password reset."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import Maybe, Request, Response, Role, Text, Verbatim

Password = Annotated[Verbatim, Field(max_length=1024)]


class LoginRequest(Request):
    login: Annotated[Text, Field(max_length=254)]
    password: Password


class PasswordChange(Request):
    # Left out only in the forced change right after signing in with the temporary password.
    current_password: Maybe[Password] = Field(
        None, description="required except right after signing in with the temporary password"
    )
    new_password: Password


class PasswordResetRequest(Request):
    email: Annotated[Text, Field(max_length=254)]


class PasswordReset(Request):
    token: Annotated[Text, Field(max_length=256)]
    new_password: Password


class ResetLinkCheck(Request):
    token: Annotated[Text, Field(max_length=256)]


class ResetLinkState(Response):
    state: Literal["valid", "used", "expired", "unknown"] = Field(
        description="valid: the form may be shown; used, expired or unknown: a new link is to be requested"
    )


class User(Response):
    id: str
    full_name: str
    email: str
    roles: list[Role]
    must_change_password: bool


class SessionLimits(Response):
    """When a session ends by itself, so that the page can warn in time (WCAG 2.2.1)."""

    idle_seconds: int
    touch_seconds: int
    ends_at: dt.datetime


class SignedIn(Response):
    user: User
    limits: SessionLimits


class CurrentSession(Response):
    """Who is signed in: `user` is null for a visitor (an answer, not an error, on every page load)."""

    user: User | None
    limits: SessionLimits | None


class Accepted(Response):
    status: Literal["accepted"]
