"""Count AWS operations made by any botocore client (boto3's and PynamoDB's alike): tests and bench only."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import botocore.client

_local = threading.local()
_original = botocore.client.BaseClient._make_api_call


def _counting(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.append(operation_name)
    return _original(self, operation_name, api_params)


botocore.client.BaseClient._make_api_call = _counting


@contextlib.contextmanager
def recording() -> Iterator[list[str]]:
    """Operation names called in this thread while the block runs."""
    calls: list[str] = []
    previous = getattr(_local, "recorder", None)
    _local.recorder = calls
    try:
        yield calls
    finally:
        _local.recorder = previous
