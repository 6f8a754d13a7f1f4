"""A moto-backed environment inside the bench process, as the tests use."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def moto_stage() -> Iterator[None]:
    os.environ.update(
        {
            "STAGE": "local",
            "RESOURCE_PREFIX": "telemed-bench",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "eu-central-1",
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)
    from moto import mock_aws

    from chalicelib import aws
    from chalicelib.config import reload_settings

    reload_settings()
    with mock_aws():
        aws.reset()
        from chalicelib.secrets import secret
        from local.provision import provision

        secret.cache_clear()

        provision()
        yield
    aws.reset()
