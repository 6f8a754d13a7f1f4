"""Lazily created, cached AWS clients: one getter per service.

Created on first use, never at import, so cold starts stay short and moto can
start before any client exists. `reset()` forgets them (tests, local stack).
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.config import Config

from chalicelib.config import settings


@functools.cache
def _session() -> Any:
    import boto3  # heavy (~100 ms) and needed only once a client is made: not on every cold start

    return boto3.session.Session(region_name=settings().region)


@functools.cache
def client(service: str) -> Any:
    config = Config(
        connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=64
    )
    return _session().client(service, config=config)


def dynamodb() -> Any:
    return client("dynamodb")


def ses() -> Any:
    return client("ses")


def s3() -> Any:
    return client("s3")


def kms() -> Any:
    return client("kms")


def stepfunctions() -> Any:
    return client("stepfunctions")


def sns() -> Any:
    return client("sns")


def reset() -> None:
    client.cache_clear()
    _session.cache_clear()
