"""schemathesis against /api/openapi.json on the local stack: no server errors, no answer outside the schema.

A small budget here (`make test`); `make bench` may run a larger one.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from local.client import signed_in

EXAMPLES = 3


@pytest.mark.parametrize("who", [None, "registrar@clinic.local", "patient@clinic.local", "doctor@clinic.local"])
def test_no_server_errors_and_answers_match_the_schema(stack, who: str | None) -> None:
    headers = []
    if who:
        cookie = signed_in(stack.url, who, "demo-password").cookie
        headers = ["-H", f"Cookie: {cookie}"]
    schemathesis = Path(sys.executable).with_name("schemathesis")
    run = subprocess.run([str(schemathesis), "run", f"{stack.url}/api/openapi.json", "--url", f"{stack.url}/api",
                          *headers, "--exclude-path", "/auth/logout", "--exclude-path", "/me/password",
                          "--checks", "not_a_server_error,response_schema_conformance",
                          "--max-examples", str(EXAMPLES), "--workers", "2", "--seed", "20261126"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-6000:]
