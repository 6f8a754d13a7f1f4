"""Domain errors: what went wrong, in the clinic's words, with no HTTP in sight.

Each error has a stable `code`; `chalicelib.web.errors` maps codes to statuses
and the locale files hold the message a person reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    code = "error"
    # The locale key of the message; None: `errors.<code>`. A refusal may say more than its code.
    message_key: str | None = None

    def __init__(
        self,
        detail: str | None = None,
        *,
        fields: Mapping[str, str] | None = None,
        retry_after: int | None = None,
        data: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(detail or self.code)
        self.fields = dict(fields or {})
        self.params = params
        self.retry_after = retry_after
        # What the person may act on besides the message (e.g. the nearest free slots).
        self.data = dict(data) if data else None


class BadRequest(DomainError):
    code = "bad_request"


class ValidationFailed(DomainError):
    """Some fields are wrong; `fields` maps each field to a message for the person."""

    code = "validation_error"


class NotFound(DomainError):
    code = "not_found"


class NotSignedIn(DomainError):
    code = "not_signed_in"


class Forbidden(DomainError):
    code = "forbidden"


class AdminOnly(Forbidden):
    """Staff accounts, and roles given to people who already work here, are the admin's to change."""

    message_key = "errors.staff_account"


class Conflict(DomainError):
    code = "conflict"


class Unavailable(DomainError):
    """A dependency (DynamoDB, SES, ...) did not answer; trying again later may help."""

    code = "unavailable"


class TooManyAttempts(DomainError):
    """Throttled; `retry_after` says in how many seconds to try again."""

    code = "too_many_requests"


class InvalidCredentials(DomainError):
    """Wrong login or password: one error for both, so accounts cannot be enumerated."""

    code = "invalid_credentials"


class TemporaryPasswordExpired(DomainError):
    code = "temporary_password_expired"


class PasswordChangeRequired(DomainError):
    code = "password_change_required"


class EmailTaken(DomainError):
    code = "email_taken"


class InvalidResetToken(DomainError):
    code = "invalid_reset_token"
