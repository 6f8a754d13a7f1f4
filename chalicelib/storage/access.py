"""What every repository does: read one item by its key, write one only if a condition holds, read a map.

A refused condition is not a failure of the store: it says someone else changed the item first. The caller
names what that means in the domain's words (`refused=SlotTaken()`), or asks for False.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, UpdateError
from pynamodb.models import Model

from chalicelib.storage.errors import condition_failed, store_errors

M = TypeVar("M", bound=Model)


def plain(value: object) -> dict[str, Any]:
    """A raw MapAttribute (or None) as a plain dict."""
    if value is None:
        return {}
    as_dict = getattr(value, "as_dict", None)
    if as_dict:
        return dict(as_dict())
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not a map: {type(value).__name__}")


def get_or_none(model: type[M], hash_key: Any, range_key: Any = None, *, consistent: bool = True) -> M | None:
    """The item under this key, or None."""
    with store_errors():
        try:
            return model.get(hash_key, range_key, consistent_read=consistent)
        except model.DoesNotExist:
            return None


def update_if(item: Model, actions: list[Any], condition: Any, *, refused: Exception | None = None) -> bool:
    """Apply `actions` to the item when `condition` holds: True. When it does not: raise `refused`, or False."""
    return _write_if(lambda: item.update(actions=actions, condition=condition), UpdateError, refused)


def save_if(item: Model, condition: Any, *, refused: Exception | None = None) -> bool:
    """Put the whole item when `condition` holds: True. When it does not: raise `refused`, or False."""
    return _write_if(lambda: item.save(condition=condition), PutError, refused)


def delete_if(item: Model, condition: Any, *, refused: Exception | None = None) -> bool:
    """Delete the item when `condition` holds: True. When it does not: raise `refused`, or False."""
    return _write_if(lambda: item.delete(condition=condition), DeleteError, refused)


def _write_if(write: Callable[[], object], error: type[PynamoDBException], refused: Exception | None) -> bool:
    try:
        with store_errors():
            write()
        return True
    except error as exc:
        if not condition_failed(exc):
            raise
        if refused is not None:
            raise refused from None
        return False
