"""Read items of several tables in one BatchGetItem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.models import Model

from chalicelib import aws
from chalicelib.errors import Unavailable

Key = tuple[type[Model], str, Any]


def _key_attrs(model: type[Model], hash_value: str, range_value: Any) -> dict[str, Any]:
    attrs = model.get_attributes()
    key = {}
    for attr in attrs.values():
        if attr.is_hash_key:
            key[attr.attr_name] = {attr.attr_type: str(hash_value)}
        elif attr.is_range_key:
            key[attr.attr_name] = {attr.attr_type: str(range_value)}
    return key


def get_many(keys: Sequence[Key]) -> dict[Key, Model]:
    """Found items by their key; missing ones are absent. At most 100 keys."""
    by_table: dict[str, list[dict[str, Any]]] = {}
    for model, hash_value, range_value in keys:
        by_table.setdefault(model.Meta.table_name, []).append(_key_attrs(model, hash_value, range_value))
    request = {table: {"Keys": table_keys, "ConsistentRead": True} for table, table_keys in by_table.items()}
    found: dict[Key, Model] = {}
    models = {model.Meta.table_name: model for model, _, _ in keys}
    try:
        while request:
            response = aws.dynamodb().batch_get_item(RequestItems=request)
            for table, items in response.get("Responses", {}).items():
                model = models[table]
                for raw in items:
                    item = model.from_raw_data(raw)
                    hash_name, range_name = model._hash_keyname, model._range_keyname
                    if hash_name is None:  # every table has a hash key; PynamoDB types the name as optional
                        raise TypeError(f"{model.__name__} has no hash key")
                    range_value = getattr(item, range_name) if range_name else None
                    found[(model, str(getattr(item, hash_name)), range_value)] = item
            request = response.get("UnprocessedKeys") or {}
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("dynamodb batch get") from exc
    return found
