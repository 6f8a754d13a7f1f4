"""A query on a table's key reads one partition, not the whole table.

moto answers a query on a table's own key by sorting every item of the table and keeping those of the
asked partition: with eight weeks of every doctor's slots in one table, a page of one doctor's slots
cost a sort of all of them, under the lock that keeps DynamoDB atomic. Here, while such a query runs,
the table lists only that partition's items, in the same order; everything after (ranges, filters,
pages, limits) is moto's own. Queries on an index, scans and writes are untouched.
"""

from __future__ import annotations

import threading
from typing import Any

INDEX_NAME_POSITION = 6  # Table.query(hash_key, range_comparison, range_objs, limit, start, forward, projection, index)
_partition = threading.local()


def install() -> None:
    """Use partition reads in moto's DynamoDB (the local stack's moto process only)."""
    from local.moto_pin import require_pinned_moto

    require_pinned_moto("moto_queries")
    from moto.dynamodb.models.table import Table

    if hasattr(Table.query, "whole_table"):
        return
    whole_query, whole_items = Table.query, Table.all_items

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[INDEX_NAME_POSITION] if len(args) > INDEX_NAME_POSITION else kwargs.get("index_name")
        if index_name or hash_key is None or not self.range_key_attr:
            return whole_query(self, hash_key, *args, **kwargs)
        _partition.key = hash_key
        try:
            return whole_query(self, hash_key, *args, **kwargs)
        finally:
            _partition.key = None

    def all_items(self: Any) -> Any:
        key = getattr(_partition, "key", None)
        if key is None:
            return whole_items(self)
        return sorted(self.items.get(key, {}).values(), key=lambda item: (item.hash_key, item.range_key))

    query.whole_table = (whole_query, whole_items)  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]


def uninstall() -> None:
    from moto.dynamodb.models.table import Table

    original = getattr(Table.query, "whole_table", None)
    if original is not None:
        Table.query, Table.all_items = original  # type: ignore[method-assign]
