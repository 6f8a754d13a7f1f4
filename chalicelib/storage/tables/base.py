"""What every table shares: its settings (name with the stage's prefix, region, timeouts)."""

from __future__ import annotations

from typing import Any

from chalicelib.config import settings


def table_meta(suffix: str) -> Any:
    s = settings()

    class Meta:
        table_name = s.resource_name(suffix)
        name_suffix = suffix  # the infrastructure names the table for its own stage
        region = s.region
        billing_mode = "PAY_PER_REQUEST"
        connect_timeout_seconds = 3
        read_timeout_seconds = 10
        max_retry_attempts = 3
        # A Lambda handles one request at a time; the local stack serves many from threads of one process,
        # and with the default 10 each extra thread opened (and dropped) a connection per call.
        max_pool_connections = 64

    return Meta
