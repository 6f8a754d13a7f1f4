"""Every AWS request a botocore client makes, by phase and actor, with DynamoDB's capacity units from the items'
sizes; the Lambda invocations they belong to. The consultation bench's meter."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import botocore.client

# Counting


@dataclasses.dataclass
class Call:
    phase: str
    actor: str
    service: str
    operation: str
    rru: float = 0.0
    wru: float = 0.0
    ses_bytes: int = 0
    tables: str = ""  # DynamoDB: the tables it touched, without the stage's prefix


@dataclasses.dataclass
class Invocation:
    phase: str
    kind: str  # "rest", "websocket", "sqs"
    what: str
    seconds: float
    calls: list[Call]


class Meter:
    """Every botocore request while installed, with the phase and the actor it belongs to."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.invocations: list[Invocation] = []
        self.transitions: list[tuple[str, str]] = []  # (phase, state)
        self.rest_requests: list[tuple[str, str]] = []  # (phase, "METHOD /path")
        self.ws_messages: list[tuple[str, str]] = []  # (phase, what): in and out
        self.connection_minutes = 0.0
        self.phase = "set-up"
        self.actor = "set-up"
        self.active = False
        self._local = threading.local()
        self._tables: dict[str, list[set[str]]] = {}
        self._original: Any = None

    # The hook ------------------------------------------------------------------------------------------
    def install(self) -> None:
        self._original = botocore.client.BaseClient._make_api_call
        meter = self

        def hook(client, operation_name, api_params):  # type: ignore[no-untyped-def]
            if not meter.active or getattr(meter._local, "quiet", False):
                return meter._original(client, operation_name, api_params)
            return meter._record(client, operation_name, api_params)

        botocore.client.BaseClient._make_api_call = hook

    def uninstall(self) -> None:
        botocore.client.BaseClient._make_api_call = self._original

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """The bench's own look-ups (sizes of items, the definition), never counted."""
        self._local.quiet = True
        try:
            yield
        finally:
            self._local.quiet = False

    def _record(self, client: Any, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        call = Call(self.phase, self.actor, service, operation)
        self.calls.append(call)
        if service == "dynamodb":
            call.tables = _tables_of(params)
            before = self._write_targets(client, operation, params)
            try:
                response = self._original(client, operation, params)
            except Exception:
                call.wru = sum(2 * self._units(size, 1024) for _, size, _ in before) if before else 0
                raise
            call.rru, call.wru = self._capacity(client, operation, params, response, before)
            return response
        if service == "ses" and operation in ("SendRawEmail", "SendEmail"):
            raw = params.get("RawMessage", {}).get("Data", b"")
            call.ses_bytes = len(raw) if isinstance(raw, (bytes, str)) else 0
        return self._original(client, operation, params)

    # DynamoDB capacity -----------------------------------------------------------------------------------
    @staticmethod
    def _units(size: int, block: int) -> int:
        return max(1, math.ceil(size / block))

    def _item(self, client: Any, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        with self.quiet():
            return self._original(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}).get(
                "Item"
            )

    def _index_keys(self, client: Any, table: str) -> list[set[str]]:
        if table not in self._tables:
            with self.quiet():
                described = self._original(client, "DescribeTable", {"TableName": table})["Table"]
            self._tables[table] = [
                {k["AttributeName"] for k in index["KeySchema"]}
                for index in described.get("GlobalSecondaryIndexes", []) + described.get("LocalSecondaryIndexes", [])
            ]
            self._tables[table + "#key"] = [{k["AttributeName"] for k in described["KeySchema"]}]
        return self._tables[table]

    def _write_targets(self, client: Any, operation: str, params: dict[str, Any]) -> list[tuple[str, int, Any]]:
        """(table, size of the item before, the request's item or key) of each item a write touches."""
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            parts = [(operation, params)]
        elif operation == "TransactWriteItems":
            parts = [(kind, body) for entry in params["TransactItems"] for kind, body in entry.items()]
        elif operation == "BatchWriteItem":
            parts = [
                ("PutItem" if "PutRequest" in request else "DeleteItem", {"TableName": table, **body})
                for table, requests in params["RequestItems"].items()
                for request in requests
                for body in request.values()
            ]
        else:
            return []
        targets = []
        for kind, body in parts:
            table = body["TableName"]
            key = body.get("Key")
            if key is None:
                self._index_keys(client, table)
                names = self._tables[table + "#key"][0]
                key = {k: v for k, v in body["Item"].items() if k in names}
            old = self._item(client, table, key)
            targets.append((table, item_size(old) if old else 0, (kind, key, body.get("Item"), old)))
        return targets

    def _write_units(self, client: Any, table: str, old_size: int, detail: Any) -> int:
        kind, key, new_item, old = detail
        if kind in ("PutItem", "Put"):
            new = new_item
        elif kind in ("UpdateItem", "Update"):
            new = self._item(client, table, key)
        else:  # Delete, ConditionCheck
            new = None
        size = max(old_size, item_size(new) if new else 0)
        units = self._units(size, 1024)
        if kind in ("ConditionCheck",):
            return units
        # Each secondary index holding the item (before or after) is written too (projection ALL assumed).
        for names in self._index_keys(client, table):
            if any(item is not None and names <= set(item) for item in (old, new)):
                units += self._units(size, 1024)
        return units

    def _capacity(
        self, client: Any, operation: str, params: dict[str, Any], response: dict[str, Any], before: list
    ) -> tuple[float, float]:
        consistent = 1.0 if params.get("ConsistentRead") else 0.5
        if operation == "GetItem":
            item = response.get("Item")
            return self._units(item_size(item) if item else 0, 4096) * consistent, 0.0
        if operation in ("Query", "Scan"):
            total = sum(item_size(i) for i in response.get("Items", []))
            return self._units(total, 4096) * consistent, 0.0
        if operation == "BatchGetItem":
            units = 0.0
            for table, items in response.get("Responses", {}).items():
                factor = 1.0 if params["RequestItems"][table].get("ConsistentRead") else 0.5
                units += sum(self._units(item_size(i), 4096) * factor for i in items)
            return units, 0.0
        if operation == "TransactGetItems":
            items = [r.get("Item") for r in response.get("Responses", [])]
            return sum(2 * self._units(item_size(i) if i else 0, 4096) for i in items), 0.0
        if before:
            factor = 2 if operation == "TransactWriteItems" else 1
            return 0.0, sum(factor * self._write_units(client, t, size, detail) for t, size, detail in before)
        return 0.0, 0.0

    # Phases and invocations ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def invocation(self, kind: str, actor: str, what: str) -> Iterator[None]:
        """One Lambda invocation (counted while the meter is active)."""
        previous, self.actor = self.actor, actor
        active, count = self.active, len(self.calls)
        started = time.perf_counter()
        try:
            yield
        finally:
            if active:
                self.invocations.append(
                    Invocation(self.phase, kind, what, time.perf_counter() - started, self.calls[count:])
                )
            self.actor = previous

    @contextlib.contextmanager
    def acting(self, actor: str) -> Iterator[None]:
        previous, self.actor = self.actor, actor
        try:
            yield
        finally:
            self.actor = previous


def _tables_of(params: dict[str, Any]) -> str:
    names = [params["TableName"]] if "TableName" in params else []
    names += list(params.get("RequestItems", {}))
    names += [body["TableName"] for entry in params.get("TransactItems", []) for body in entry.values()]
    short = [re.sub(r"^telemed-bench-", "", n) for n in names]
    return "+".join(dict.fromkeys(short))


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (numbers ~ half their digits)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return (len(data.lstrip("-").replace(".", "")) + 1) // 2 + 1
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: d}) for d in data)
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in data.items())
    return len(json.dumps(data))
