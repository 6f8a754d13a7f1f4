"""Cold start: importing the app must cost little more than its libraries."""

from __future__ import annotations

from bench.harness import Row, at_most, fresh_python, median, row

RUNS = 7
TIMED_IMPORT = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"


def measure() -> list[Row]:
    env = {"STAGE": "prod", "RESOURCE_PREFIX": "telemed-bench", "AWS_DEFAULT_REGION": "eu-central-1"}
    app_times, lib_times = [], []
    for _ in range(RUNS):  # interleaved, so drift in the machine's load hits both alike
        app_times.append(float(fresh_python(TIMED_IMPORT.format(stmt="import app"), env)))
        lib_times.append(float(fresh_python(TIMED_IMPORT.format(stmt="import boto3, chalice, pynamodb"), env)))
    app_ms, lib_ms = median(app_times) * 1000, median(lib_times) * 1000
    return [
        row("cold import app / import boto3, chalice, pynamodb (median of 7)", app_ms / lib_ms, "ratio", at_most(1.3)),
        row("cold import app (median of 7)", app_ms, "ms", ("info", lambda v: True)),
    ]
