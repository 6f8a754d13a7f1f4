"""Whether the stack can serve: the data store answers."""

from __future__ import annotations

from typing import Any

from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.storage import health as store


def status() -> dict[str, Any]:
    store.check()
    return {"status": "ok", "stage": settings().stage, "server_time": now().isoformat()}
