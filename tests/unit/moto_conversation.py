"""One conversation with moto's DynamoDB, with or without one of the local stack's changes to moto."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import boto3
from moto import mock_aws


def talk(conversation: Callable[[Any], list], change: ModuleType | None = None) -> list:
    """What the SDK read in `conversation`, with `change` (a module with install/uninstall) in moto."""
    if change is not None:
        change.install()
    try:
        with mock_aws():
            return conversation(boto3.client("dynamodb", region_name="eu-central-1"))
    finally:
        if change is not None:
            change.uninstall()
