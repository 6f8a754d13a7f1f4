"""Secrets of a stage: from the environment in the local stage, from SSM Parameter Store in AWS.

`secret("YOOKASSA_SECRET_KEY")` reads the variable itself when set, otherwise the
SecureString parameter named by `YOOKASSA_SECRET_KEY_PARAMETER`. Values are
cached for the life of the Lambda container and never logged.
"""
from __future__ import annotations

import functools
import os

from chalicelib.errors import Unavailable


@functools.lru_cache(maxsize=None)
def secret(name: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    parameter = os.environ.get(f"{name}_PARAMETER")
    if not parameter:
        raise Unavailable(f"secret {name} is not configured")
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib import aws

    try:
        return str(aws.client("ssm").get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"])
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable(f"secret {name}") from exc
