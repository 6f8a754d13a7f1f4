"""schemathesis against /api/openapi.json on the local stack: no server errors, no answer outside the schema.

A small budget here (`make test`); `make bench` may run a larger one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from local.client import signed_in
from local.process import start_stack, stop_stack

EXAMPLES = 3
CALLERS = ["registrar@clinic.local", "patient@clinic.local", "doctor@clinic.local", None]


@pytest.fixture(scope="module")
def fuzzed_stack(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A stack of its own: fuzzing signs in with wrong passwords, and the address throttle then
    (rightly) slows every sign-in from 127.0.0.1 — which must not leak into other tests."""
    running = start_stack(tmp_path_factory.mktemp("fuzzed"))
    # Everyone signs in before any fuzzing starts.
    running.cookies = {who: signed_in(running.url, who, "demo-password").cookie for who in CALLERS if who}
    yield running
    stop_stack(running)


def run_schemathesis(
    url: str, cookie: str | None, examples: int, junit: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """One schemathesis run over every operation, as one caller (a session cookie, or none).

    One worker: with two, Python 3.11's AST constructor check is not thread-safe (python/cpython#106905)
    and a run now and then dies with `SystemError: AST constructor recursion depth mismatch`."""
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    report = ["--report", "junit", "--report-junit-path", str(junit)] if junit else []
    schemathesis = Path(sys.executable).with_name("schemathesis")
    return subprocess.run(
        [
            str(schemathesis),
            "run",
            f"{url}/api/openapi.json",
            "--url",
            f"{url}/api",
            *headers,
            "--exclude-path",
            "/auth/logout",
            "--exclude-path",
            "/me/password",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--max-examples",
            str(examples),
            "--workers",
            "1",
            "--seed",
            "20261126",
            *report,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("who", CALLERS)
def test_no_server_errors_and_answers_match_the_schema(fuzzed_stack, who: str | None) -> None:
    run = run_schemathesis(fuzzed_stack.url, fuzzed_stack.cookies[who] if who else None, EXAMPLES)
    assert run.returncode == 0, run.stdout[-6000:]
