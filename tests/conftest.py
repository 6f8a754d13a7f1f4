"""Shared fixtures: moto with the stage's resources, the Chalice test client, the local stack."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Before anything imports chalicelib: the local stage's settings, fake credentials, no real endpoint.
os.environ.update({
    "STAGE": "local",
    "RESOURCE_PREFIX": "telemed-test",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    "LOG_LEVEL": "INFO",
    # The 8-week window makes thousands of slots per doctor; three days show the same rules faster.
    "SLOT_WINDOW_DAYS": "3",
})
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RunningStack:
    def __init__(self, url: str, process: subprocess.Popen, log_path: Path) -> None:
        self.url = url
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_stack(tmp_dir: Path, extra_env: dict[str, str] | None = None) -> RunningStack:
    port = free_port()
    log_path = tmp_dir / f"stack-{port}.log"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in ("STAGE", "RESOURCE_PREFIX", "SLOT_WINDOW_DAYS")}
    env.update(extra_env or {})
    log = open(log_path, "w", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "local", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local stack exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=1) as response:
                if response.status == 200:
                    return RunningStack(url, process, log_path)
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"local stack not healthy within 30 s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The local stack of `make run`, as a separate process on a free port."""
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()
