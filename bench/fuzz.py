"""schemathesis with a larger budget than `make test`'s: every operation of /api/openapi.json as each
kind of caller (registrar, patient, doctor, anonymous), on a stack of its own.

A failure is a server error or an answer outside the schema; the count comes from schemathesis's
JUnit report (one test case per operation and caller).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from bench.harness import Row, at_most, row
from local.client import signed_in
from local.process import start_stack, stop_stack
from tests.api.test_schemathesis import CALLERS, run_schemathesis

EXAMPLES = 40


def _failures(junit: Path, who: str) -> tuple[int, int]:
    """(operations tried, operations that failed) from a JUnit report; what failed goes to stderr."""
    cases = ET.parse(junit).getroot().iter("testcase")
    tried = failed = 0
    for case in cases:
        tried += 1
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            failed += 1
            print(
                f"bench fuzz: {case.get('name')} as {who}:\n{problem.get('message') or ''}\n{problem.text or ''}",
                file=sys.stderr,
            )
    return tried, failed


def measure() -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix="bench-fuzz-"))
    stack = start_stack(work)
    try:
        cookies = {who: signed_in(stack.url, who, "demo-password").cookie for who in CALLERS if who}
        tried = failed = 0
        started = time.monotonic()
        for number, who in enumerate(CALLERS):
            junit = work / f"junit-{number}.xml"
            run_schemathesis(stack.url, cookies[who] if who else None, EXAMPLES, junit, timeout=3600)
            if not junit.exists():
                raise RuntimeError(f"bench fuzz: schemathesis wrote no report as {who or 'anonymous'}")
            t, f = _failures(junit, who or "anonymous")
            tried, failed = tried + t, failed + f
        spent = time.monotonic() - started
    finally:
        stop_stack(stack)
        shutil.rmtree(work, ignore_errors=True)
    return [
        row(
            f"schemathesis: operations × 4 callers tried, up to {EXAMPLES} cases each",
            tried,
            "operations",
            ("info", lambda value: value > 0),
        ),
        row(
            "schemathesis: operations with a server error or an answer outside the schema",
            failed,
            "operations",
            at_most(0),
        ),
        row("schemathesis: time for the whole run", spent, "s", ("info", lambda value: True)),
    ]


if __name__ == "__main__":
    from bench.harness import report

    print(report(measure()))
