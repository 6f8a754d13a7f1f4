"""Turning DynamoDB's failures into what the domain understands."""
from __future__ import annotations

import contextlib
from typing import Iterator

from pynamodb.exceptions import PynamoDBException, TransactWriteError

from chalicelib.errors import Unavailable

CONDITION_FAILED = "ConditionalCheckFailedException"


def condition_failed(exc: PynamoDBException) -> bool:
    """True when a conditional write (or a transaction's condition) was refused."""
    if isinstance(exc, TransactWriteError):
        return any(reason is not None and reason.code == "ConditionalCheckFailed"
                   for reason in exc.cancellation_reasons)
    return exc.cause_response_code == CONDITION_FAILED


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """Anything else from DynamoDB means the store could not serve us now."""
    try:
        yield
    except PynamoDBException as exc:
        if condition_failed(exc):
            raise
        raise Unavailable(f"dynamodb: {exc.cause_response_code or type(exc).__name__}") from exc
