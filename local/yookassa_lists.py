"""The local YooKassa's lists (GET /v3/payments, GET /v3/refunds) as YooKassa's API gives them: filtered by
`created_at.gte|gt|lte|lt` (and `payment_id` for refunds), newest first, `limit` per page (10 by default, 1–100),
`{"type": "list", "items": [...], "next_cursor": "..."}` while more follow; `cursor` asks for the next page.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

BOUNDS: dict[str, Callable[[dt.datetime, dt.datetime], bool]] = {
    "gte": lambda at, bound: at >= bound,
    "gt": lambda at, bound: at > bound,
    "lte": lambda at, bound: at <= bound,
    "lt": lambda at, bound: at < bound,
}


def instant(text: str) -> dt.datetime:
    """An ISO 8601 time as YooKassa writes and takes them (`…Z`); one without a zone is refused."""
    at = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError("a time without its zone")
    return at


def cursor_of(created_at: str, object_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at}|{object_id}".encode()).decode().rstrip("=")


def position(cursor: str) -> tuple[str, str]:
    """The (created_at, id) after which a page starts; a cursor not made here is refused."""
    created_at, _, object_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition("|")
    if not object_id:
        raise ValueError("not a cursor of ours")
    instant(created_at)
    return created_at, object_id


def page(objects: Iterable[dict[str, Any]], query: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """One page of `objects` (public payments or refunds) for the list's query: (HTTP status, body)."""
    try:
        limit = int(query.get("limit", "10"))
        bounds = {op: instant(query[f"created_at.{op}"]) for op in BOUNDS if f"created_at.{op}" in query}
        after = position(query["cursor"]) if query.get("cursor") else None
    except (ValueError, KeyError):
        return 400, _error("Invalid list parameters")
    if not 1 <= limit <= 100:
        return 400, _error("limit must be between 1 and 100")
    found = [
        o
        for o in objects
        if all(BOUNDS[op](instant(o["created_at"]), bound) for op, bound in bounds.items())
        and ("payment_id" not in query or o.get("payment_id") == query["payment_id"])
    ]
    found.sort(key=lambda o: (o["created_at"], o["id"]), reverse=True)
    if after is not None:
        found = [o for o in found if (o["created_at"], o["id"]) < after]
    body: dict[str, Any] = {"type": "list", "items": found[:limit]}
    if len(found) > limit:
        last = found[limit - 1]
        body["next_cursor"] = cursor_of(last["created_at"], last["id"])
    return 200, body


def _error(description: str) -> dict[str, Any]:
    return {"type": "error", "id": str(uuid.uuid4()), "code": "invalid_request", "description": description}


class Listing:
    """What a YooKassa emulator holding `payments` and `refunds` answers to GET /v3/payments and /v3/refunds."""

    payments: dict[str, dict[str, Any]]
    refunds: dict[str, dict[str, Any]]
    _lock: threading.Lock

    @functools.cached_property
    def list_requests(self) -> list[tuple[str, dict[str, str]]]:
        """(what, query) of each list asked for, in order."""
        return []

    def list_objects(self, what: str, query: dict[str, str] | str) -> tuple[int, dict[str, Any]]:
        """One page of the payments or refunds (the query as a dict, or as the URL's query string)."""
        asked = {k: v[-1] for k, v in parse_qs(query).items()} if isinstance(query, str) else dict(query)
        self.list_requests.append((what, asked))
        with self._lock:
            found = [
                {k: v for k, v in o.items() if not k.startswith("_")}
                for o in (self.payments if what == "payments" else self.refunds).values()
            ]
        return page(found, asked)
