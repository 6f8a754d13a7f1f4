"""The one place where domain errors become HTTP responses.

Every error body is `{"error": {"code", "message", ...}}`; `message` is Russian
text a person can act on, taken from the locale files by code.
"""

from __future__ import annotations

from typing import Any

from chalicelib.errors import DomainError
from chalicelib.i18n import t

STATUS_BY_CODE: dict[str, int] = {
    "bad_request": 400,
    "validation_error": 400,
    "not_signed_in": 401,
    "invalid_credentials": 401,
    "temporary_password_expired": 401,
    "forbidden": 403,
    "password_change_required": 403,
    "invalid_reset_token": 400,
    "email_taken": 409,
    "document_outdated": 409,
    "document_changed": 409,
    "not_withdrawable": 409,
    "consent_required": 403,
    "slot_taken": 409,
    "hold_limit": 409,
    "slot_already_yours": 409,
    "not_cancellable": 409,
    "not_reschedulable": 409,
    "price_differs": 409,
    "hold_expired": 409,
    "room_closed": 410,
    "consultation_ended": 409,
    "guest_exists": 409,
    "guest_too_early": 409,
    "no_guest": 409,
    "consultation_not_reopenable": 409,
    "lobby_not_open": 409,
    "conclusion_not_ready": 409,
    "conclusion_signed": 409,
    "signing_failed": 503,
    "no_signing_key": 409,
    "conclusion_empty": 400,
    "too_many_files": 409,
    "file_rejected": 422,
    "uploads_closed": 409,
    "upload_completed": 409,
    "export_building": 409,
    "already_paid": 409,
    "payment_unavailable": 503,
    "reconciliation_unavailable": 503,
    "forbidden_source": 403,
    "payment_mismatch": 400,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "too_many_requests": 429,
    "internal_error": 500,
    "unavailable": 503,
}


def status_for(code: str) -> int:
    return STATUS_BY_CODE.get(code, 400)


def error_body(
    code: str,
    *,
    request_id: str | None = None,
    fields: dict[str, str] | None = None,
    message_key: str | None = None,
    **params: Any,
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": code,
        "message": t(message_key or f"errors.{code}", request_id=request_id or "—", **params),
    }
    if fields:
        error["fields"] = fields
    if request_id:
        error["request_id"] = request_id
    return {"error": error}


def describe(exc: DomainError, request_id: str | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, body and extra headers for a domain error."""
    headers: dict[str, str] = {}
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    status = status_for(exc.code)
    # The request id is for reporting our own failures; 4xx bodies stay identical across requests.
    body = error_body(
        exc.code,
        request_id=request_id if status >= 500 else None,
        fields=exc.fields or None,
        message_key=exc.message_key,
        **exc.params,
    )
    if exc.data:
        body["error"]["details"] = exc.data
    return status, body, headers


# Chalice answers a few things itself (wrong method, wrong content type); their
# bodies are reshaped into our envelope by the middleware.
CHALICE_ERRORS = {
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "BadRequestError": "bad_request",
    "BadRequest": "bad_request",
    "NotFoundError": "not_found",
    "InternalServerError": "internal_error",
}
