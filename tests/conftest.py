"""Shared fixtures: moto with the stage's resources, the Chalice test client, the local stack."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local.process import RunningStack, start_stack, stop_stack  # noqa: E402

# Before anything imports chalicelib: the local stage's settings, fake credentials, no real endpoint.
os.environ.update(
    {
        "STAGE": "local",
        "LOCAL_STACK": "1",
        "RESOURCE_PREFIX": "telemed-test",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        "LOG_LEVEL": "INFO",
        # The 8-week window makes thousands of slots per doctor; three days show the same rules faster.
        "SLOT_WINDOW_DAYS": "3",
    }
)
for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "MOTO_PORT"):
    os.environ.pop(name, None)


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh moto account holding every resource of the stage."""
    from moto import mock_aws

    from chalicelib import aws as clients
    from chalicelib.clock import set_clock

    with mock_aws():
        clients.reset()
        from local.provision import provision

        provision()
        yield
    clients.reset()
    set_clock(None)


@pytest.fixture
def client(aws: None) -> Iterator[object]:
    from chalice.test import Client

    from app import app

    with Client(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The local stack of `make run`, as a separate process on a free port."""
    # One-minute drop-in slots and a one-minute grace: a call opens and closes within minutes.
    folder = tmp_path_factory.mktemp("stack")
    running = start_stack(
        folder, {"LOCAL_DROP_IN_MINUTES": "1", "ROOM_GRACE_MINUTES": "1", "LOCAL_INBOX": str(folder / "inbox")}
    )
    running.inbox = folder / "inbox"
    yield running
    stop_stack(running)
