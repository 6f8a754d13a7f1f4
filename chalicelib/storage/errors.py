"""Turning DynamoDB's failures into what the domain understands."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pynamodb.exceptions import PynamoDBException, TransactWriteError

from chalicelib.errors import Unavailable

CONDITION_FAILED = "ConditionalCheckFailedException"


class AlreadyStored(Exception):
    """A write that creates an item was refused: an item with its key is stored already (written first)."""


def error_code(exc: PynamoDBException) -> str | None:
    """DynamoDB's error code, or None when there was no answer (a timeout, a lost connection):
    PynamoDB's own `cause_response_code` fails on those, whose `response` is None."""
    response = getattr(exc.cause, "response", None)
    if not isinstance(response, dict):
        return None
    code = response.get("Error", {}).get("Code")
    return code if isinstance(code, str) else None


def condition_failed(exc: PynamoDBException) -> bool:
    """True when a conditional write (or a transaction's condition) was refused."""
    if isinstance(exc, TransactWriteError):
        return any(
            reason is not None and reason.code == "ConditionalCheckFailed" for reason in exc.cancellation_reasons or []
        )
    return error_code(exc) == CONDITION_FAILED


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """Anything else from DynamoDB means the store could not serve us now."""
    try:
        yield
    except PynamoDBException as exc:
        if condition_failed(exc):
            raise
        raise Unavailable(f"dynamodb: {error_code(exc) or type(exc.cause or exc).__name__}") from exc
