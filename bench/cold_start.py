"""Cold start: importing the app must cost little more than its libraries.

Every Lambda function imports app.py; the API's models (pydantic and chalicelib/contract/) load on the API's
first request that validates with one (chalicelib.web.routing.Model). The cost did not vanish: the last row is
the API handler's first request cold — `import app`, then POST /auth/login's body model resolved and used.
"""

from __future__ import annotations

from bench.harness import Row, at_most, fresh_python, median, row

RUNS = 7
TIMED_IMPORT = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
FIRST_REQUEST = (
    "import app; "
    "from chalicelib.web.routing import ROUTES; "
    "from chalicelib.web.validation import validate; "
    "spec = next(s for s in ROUTES if (s.method, s.path) == ('POST', '/auth/login')); "
    "validate(spec.body, {'login': 'anna@example.org', 'password': 'secret'})"
)


def measure() -> list[Row]:
    env = {"STAGE": "prod", "RESOURCE_PREFIX": "telemed-bench", "AWS_DEFAULT_REGION": "eu-central-1"}
    app_times, lib_times, first_times = [], [], []
    for _ in range(RUNS):  # interleaved, so drift in the machine's load hits them alike
        app_times.append(float(fresh_python(TIMED_IMPORT.format(stmt="import app"), env)))
        lib_times.append(float(fresh_python(TIMED_IMPORT.format(stmt="import boto3, chalice, pynamodb"), env)))
        first_times.append(float(fresh_python(TIMED_IMPORT.format(stmt=FIRST_REQUEST), env)))
    app_ms, lib_ms = median(app_times) * 1000, median(lib_times) * 1000
    return [
        row("cold import app / import boto3, chalice, pynamodb (median of 7)", app_ms / lib_ms, "ratio", at_most(1.3)),
        row("cold import app (median of 7)", app_ms, "ms", ("info", lambda v: True)),
        row(
            "API's first request cold: import app + POST /auth/login's model loaded and used (median of 7)",
            median(first_times) * 1000,
            "ms",
            ("info", lambda v: True),
        ),
    ]
