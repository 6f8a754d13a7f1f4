"""TransactWriteItems for the local stack without copying whole tables.

moto backs up every table a transaction touches with `copy.deepcopy` before it
starts, so that it can roll back; with eight weeks of slots in one table that
is tens of milliseconds per hold, under the lock that keeps DynamoDB atomic —
the whole stack waits on it. This version keeps DynamoDB's semantics with the
same moto primitives: every condition is evaluated first, against the state
before the transaction (the parts name distinct items, so the order does not
matter); if any fails, nothing is written and the reasons come back in order;
otherwise the writes are applied, each item's previous version kept, and put
back if a write fails midway. It relies on the lock in `local.moto_server`
(one DynamoDB request at a time), as moto's own rollback does.
"""

from __future__ import annotations

import copy
from typing import Any

OPERATIONS = {"ConditionCheck", "Put", "Delete", "Update"}


def _key(backend: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return op["Key"]
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    parts: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in OPERATIONS:
            raise ValueError("Unsupported transaction operation")
        key = _key(backend, op_type, op)
        marker = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if marker in seen:
            raise MultipleTransactionsException()
        seen.add(marker)
        parts.append((op_type, op, key))

    # 1. Every condition, against the state before the transaction.
    errors: list[tuple[Any, Any, Any]] = []
    for _op_type, op, key in parts:
        current = backend.get_item(op["TableName"], key)
        expression = op.get("ConditionExpression")
        if expression is not None and not get_filter_expression(
            expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        ).expr(current):
            old = None
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old = current.to_json()["Attributes"]
            errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
        else:
            errors.append((None, None, None))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)

    # 2. The writes, each item's previous version kept until all are done.
    done: list[tuple[str, dict[str, Any], Any]] = []
    try:
        for op_type, op, key in parts:
            if op_type == "ConditionCheck":
                continue
            table_name = op["TableName"]
            before = backend.get_item(table_name, key)
            done.append((table_name, key, copy.deepcopy(before) if before is not None else None))
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if op_type == "Put":
                backend.put_item(
                    table_name,
                    op["Item"],
                    condition_expression=op.get("ConditionExpression"),
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Delete":
                backend.delete_item(
                    table_name,
                    key,
                    condition_expression=op.get("ConditionExpression"),
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            else:
                backend.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    condition_expression=op.get("ConditionExpression"),
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
    except Exception:
        for table_name, key, before in reversed(done):
            if before is None:
                backend.delete_item(table_name, key)
            else:
                backend.put_item(table_name, before.to_json()["Attributes"])
        raise


def install() -> None:
    """Use this version in moto's DynamoDB backend (the local stack's process only)."""
    from local.moto_pin import require_pinned_moto

    require_pinned_moto("moto_transactions")
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
