"""Whether DynamoDB answers, asked of one table."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.errors import Unavailable
from chalicelib.storage.tables import User


def check() -> None:
    """Unavailable when the store does not answer."""
    try:
        aws.dynamodb().describe_table(TableName=User.Meta.table_name)
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable(f"dynamodb: {type(exc).__name__}") from None
