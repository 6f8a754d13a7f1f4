"""Whether the stack can serve: the data store answers."""

from __future__ import annotations

from typing import Any

from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.errors import Unavailable


def status() -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib import aws
    from chalicelib.storage.tables import health_probe_table

    try:
        aws.dynamodb().describe_table(TableName=health_probe_table())
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable(f"dynamodb: {type(exc).__name__}") from None
    return {"status": "ok", "stage": settings().stage, "server_time": now().isoformat()}
