"""DynamoDB's answers from moto written straight as JSON.

moto 5 writes every answer by walking the operation's output shape from botocore's service model, value
by value; for a page of slots that is most of moto's time (40 % of its processor time under the load
bench), and it runs under the lock that keeps DynamoDB atomic, so every request waits for it. An item
answer of DynamoDB is already JSON-shaped (`{"name": {"S": "..."}}`), so for the item operations this
writes the same document with `json.dumps`: binary values as base64, timestamps as epoch seconds, absent
values left out, as the shape walker does. Table descriptions and errors keep moto's own writer.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import json
from typing import Any

ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
CONTENT_TYPE = "application/x-amz-json-1.0"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items() if inner is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(inner) for inner in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dt.datetime):
        seconds = calendar.timegm(value.utctimetuple())
        return seconds + (value.microsecond // 1000) / 1000.0 if value.microsecond else seconds
    return value


def body(result: Any) -> str:
    """The JSON document DynamoDB answers with for an item operation's result."""
    return json.dumps(_plain(result if result is not None else {}), separators=(",", ":"))


def install() -> None:
    """Answer item operations with `body` in moto's DynamoDB (the local stack's moto process only)."""
    from local.moto_pin import require_pinned_moto

    require_pinned_moto("moto_answers")
    from moto.dynamodb.responses import DynamoResult

    walk_shape = DynamoResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name not in ITEM_OPERATIONS:
            return walk_shape(self, context)
        try:
            return 200, {"Content-Type": CONTENT_TYPE}, body(self.result)
        except TypeError:  # a value JSON does not know: the shape walker's way
            return walk_shape(self, context)

    execute_result.walk_shape = walk_shape  # type: ignore[attr-defined]
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]


def uninstall() -> None:
    from moto.dynamodb.responses import DynamoResult

    walk_shape = getattr(DynamoResult.execute_result, "walk_shape", None)
    if walk_shape is not None:
        DynamoResult.execute_result = walk_shape  # type: ignore[method-assign]
