"""One TransactWriteItems whose refusals are reported by the name of the part that failed.

PynamoDB sends a transaction's parts grouped (condition checks, deletes, puts,
updates), so DynamoDB's cancellation reasons come back in that order, not in
the order the parts were added; this class maps them back to names.
"""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.storage.errors import store_errors
from chalicelib.storage.tables import User


class TransactionRefused(Exception):
    def __init__(self, failed: set[str]) -> None:
        super().__init__(", ".join(sorted(failed)))
        self.failed = failed


class Transaction:
    def __init__(self) -> None:
        # A token of its own: when the SDK retries after a lost answer, DynamoDB applies the transaction
        # once and answers the retry with success instead of refusing it against its own writes.
        self._tx = TransactWrite(connection=User._get_connection().connection, client_request_token=uuid.uuid4().hex)
        self._names: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}

    def check(self, name: str, model_cls: Any, hash_key: Any, range_key: Any = None, *, condition: Any) -> None:
        self._tx.condition_check(model_cls, hash_key, range_key, condition=condition)
        self._names["check"].append(name)

    def delete(self, name: str, model: Any, condition: Any = None) -> None:
        self._tx.delete(model, condition=condition)
        self._names["delete"].append(name)

    def put(self, name: str, model: Any, condition: Any = None) -> None:
        self._tx.save(model, condition=condition)
        self._names["put"].append(name)

    def update(self, name: str, model: Any, actions: list[Any], condition: Any = None) -> None:
        self._tx.update(model, actions=actions, condition=condition)
        self._names["update"].append(name)

    def commit(self) -> None:
        """All parts or none; TransactionRefused names the parts whose condition failed."""
        order = self._names["check"] + self._names["delete"] + self._names["put"] + self._names["update"]
        try:
            with store_errors():
                self._tx._commit()
        except TransactWriteError as exc:
            failed = {
                name
                for name, reason in zip(order, exc.cancellation_reasons or [])
                if reason is not None and reason.code == "ConditionalCheckFailed"
            }
            if failed:
                raise TransactionRefused(failed) from None
            raise
