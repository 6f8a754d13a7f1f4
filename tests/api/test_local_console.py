"""`make run`'s console: the banner (address, logins, ports) is the last thing printed, and requests to the
site, the API and the emulators add no lines under it."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

from local.process import start_stack, stop_stack

LAST_LINE = "Press Ctrl-C to stop."


def _get(url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
    except urllib.error.HTTPError as error:  # 401 from /api/me for nobody signed in
        error.read()


def test_the_banner_is_last_and_requests_print_nothing(tmp_path: Path) -> None:
    # As `make run` starts it: no LOG_LEVEL in the shell (the tests' own stacks ask for INFO).
    running = start_stack(tmp_path, {"LOG_LEVEL": ""})
    try:
        deadline = time.monotonic() + 60
        while LAST_LINE not in running.log() and time.monotonic() < deadline:
            time.sleep(0.2)
        for path in ("/", "/login", "/assets/missing.js", "/api/health", "/api/me", "/api/doctors", "/dev/outbox"):
            _get(running.url + path)
        log = running.log()
    finally:
        stop_stack(running)
    lines = [line for line in log.splitlines() if line.strip()]
    assert lines and lines[-1] == LAST_LINE, log
    banner = lines[max(i for i, line in enumerate(lines) if line.startswith("Telemedicine local stack is up")) :]
    assert any(running.url in line for line in banner)
    assert any("make run PORT=" in line for line in banner)
    assert not [line for line in lines if '"event": "request"' in line or "GET /" in line], log
