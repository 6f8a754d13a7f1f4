"""A moto-backed environment inside the bench process, as the tests use."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any


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


def bench_accounts(password: str) -> None:
    """The registry's staff@example.org and the patient patient@example.org, both with `password`."""
    import uuid

    from chalicelib.accounts import passwords
    from chalicelib.clock import now
    from chalicelib.storage import accounts as store
    from chalicelib.storage.tables import User

    for email, roles in (("staff@example.org", {"registrar"}), ("patient@example.org", {"patient"})):
        store.create_user(
            User(
                uuid.uuid4().hex,
                email=email,
                full_name="Бенч Пациент",
                roles=roles,
                password_hash=passwords.hash_password(password),
                created_at=now(),
            )
        )


YOOKASSA_SETTINGS = ("YOOKASSA_API_URL", "YOOKASSA_SHOP_ID", "YOOKASSA_SECRET_KEY", "YOOKASSA_TRUSTED_NETWORKS")


@contextlib.contextmanager
def yookassa(shop: str, secret_key: str, webhook: Callable[[dict], int]) -> Iterator[Any]:
    """The local YooKassa emulator (payments decided at once, webhooks delivered in-process) and the stage's settings
    pointing at it, for the time of the block."""
    from chalicelib.config import reload_settings
    from chalicelib.payments import gateway
    from chalicelib.secrets import secret
    from local.yookassa_emulator import YooKassaEmulator

    emulator = YooKassaEmulator(shop, secret_key, webhook, synchronous=True, max_delivery_attempts=1)
    os.environ.update(
        {
            "YOOKASSA_API_URL": emulator.start(),
            "YOOKASSA_SHOP_ID": shop,
            "YOOKASSA_SECRET_KEY": secret_key,
            "YOOKASSA_TRUSTED_NETWORKS": "127.0.0.1/32",
        }
    )
    reload_settings()
    gateway.reset()
    secret.cache_clear()
    try:
        yield emulator
    finally:
        emulator.stop()
        for name in YOOKASSA_SETTINGS:
            os.environ.pop(name, None)
        gateway.reset()
        secret.cache_clear()
