"""Start the local stack as a separate process (tests and benchmarks use it as `make run` does)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def start_stack(tmp_dir: Path, extra_env: dict[str, str] | None = None, within_s: float = 300) -> RunningStack:
    """Start `python -m local` on a free port and wait until it is healthy (a busy machine takes its time)."""
    port = free_port()
    log_path = tmp_dir / f"stack-{port}.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in ("STAGE", "RESOURCE_PREFIX", "SLOT_WINDOW_DAYS")
    }
    env.update(extra_env or {})
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - the child process writes to it until it stops
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + within_s
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
    raise RuntimeError(f"local stack not healthy within {within_s:g} s:\n{log_path.read_text()}")


def stop_stack(running: RunningStack) -> None:
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()
