"""Secrets of a stage: from the environment in the local stage, from SSM Parameter Store or Secrets
Manager in AWS.

`secret("YOOKASSA_SECRET_KEY")` reads the variable itself when set, otherwise the SecureString parameter
named by `YOOKASSA_SECRET_KEY_PARAMETER`, otherwise the Secrets Manager secret named by
`YOOKASSA_SECRET_KEY_SECRET_ARN` (for a secret the stack generates and hands to another service too).
Values are cached for the life of the Lambda container and never logged.
"""

from __future__ import annotations

import functools
import os

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.errors import Unavailable


def configured(name: str) -> bool:
    return any(os.environ.get(key) for key in (name, f"{name}_PARAMETER", f"{name}_SECRET_ARN"))


@functools.cache
def secret(name: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    parameter = os.environ.get(f"{name}_PARAMETER")
    secret_arn = os.environ.get(f"{name}_SECRET_ARN")
    if not parameter and not secret_arn:
        raise Unavailable(f"secret {name} is not configured")
    try:
        if parameter:
            return str(aws.client("ssm").get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"])
        return str(aws.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable(f"secret {name}") from exc
