"""Load on the local stack: 200 simulated patients, each looping login → list slots → hold → cancel for 60 s.

Errors are 5xx, unexpected refusals, dropped connections and timeouts (a 409 for a slot someone else
holds is the system working). A double booking is two holds of one slot that both succeeded before the
first was even asked to cancel.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.harness import Row, at_most, percentile, row
from local.client import HttpApi, new_patient, signed_in
from local.process import start_stack, stop_stack

TIMEOUTS = {"TimeoutError", "timeout", "socket.timeout"}
PATIENTS = 200
DURATION_S = 60


def measure() -> list[Row]:
    stack = start_stack(Path(tempfile.mkdtemp(prefix="bench-load-")))
    try:
        return run(stack.url)
    finally:
        stop_stack(stack)


def run(url: str, patients: int = PATIENTS, duration_s: float = DURATION_S) -> list[Row]:
    registrar = signed_in(url, "registrar@clinic.local", "demo-password")
    with ThreadPoolExecutor(8) as pool:
        people = list(pool.map(lambda _: new_patient(url, registrar), range(patients)))
    doctors = [d["id"] for d in HttpApi(url).get("/doctors").json]
    today = dt.date.today()
    window = f"from={today}&to={today + dt.timedelta(days=6)}"
    latencies: list[float] = []
    errors: list[str] = []
    holds: dict[str, list[tuple[float, float]]] = {}  # slot → (hold answered, cancel sent)
    lock = threading.Lock()
    stop_at = time.monotonic() + duration_s
    done = [0]

    def timed(call):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        try:
            response = call()
        except Exception as exc:  # a dropped connection or a timeout
            reason = getattr(exc, "reason", None)  # urllib wraps a timeout while connecting
            with lock:
                errors.append(type(reason if isinstance(reason, TimeoutError) else exc).__name__)
            return None
        with lock:
            latencies.append(time.monotonic() - started)
            if response.status >= 500 or response.status in (401, 403):
                errors.append(str(response.status))
        return response

    def patient_loop(person: HttpApi) -> None:
        api = HttpApi(url)
        while time.monotonic() < stop_at:
            login = timed(
                lambda: api.call(
                    "POST", "/auth/login", {"login": person.email, "password": person.password}, timeout=120
                )
            )
            if login is None or login.status != 200:
                continue
            listed = timed(lambda: api.get(f"/doctors/{random.choice(doctors)}/slots?{window}"))
            if listed is None or listed.status != 200 or not listed.json:
                continue
            slot = random.choice(listed.json[:20])
            held = timed(lambda: api.post("/bookings", {"slot_id": slot["id"]}))
            if held is None or held.status != 201:
                continue
            answered = time.monotonic()
            cancel_sent = time.monotonic()
            with lock:
                holds.setdefault(slot["id"], []).append((answered, cancel_sent))
            timed(lambda: api.post(f"/bookings/{held.json['id']}/cancel"))
            with lock:
                done[0] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(patients) as pool:
        list(pool.map(patient_loop, people))
    elapsed = time.monotonic() - started
    if errors:
        print(f"bench load: errors by kind: {dict(Counter(errors))}", file=sys.stderr)
    double = 0
    for intervals in holds.values():
        intervals.sort()
        for (_first_answer, first_cancel), (second_answer, _) in itertools.pairwise(intervals):
            if second_answer < first_cancel:
                double += 1
    return [
        row(
            f"load: {patients} patients, login → slots → hold → cancel, {duration_s:.0f} s: requests per second"
            + ("" if os.environ.get("LOCAL_MOTO_SPEEDUPS", "1") != "0" else " (LOCAL_MOTO_SPEEDUPS=0)"),
            len(latencies) / elapsed,
            "req/s",
            ("info", lambda v: True),
        ),
        row("load: request latency p50", percentile(latencies, 50) * 1000, "ms", ("info", lambda v: True)),
        row("load: request latency p95", percentile(latencies, 95) * 1000, "ms", ("info", lambda v: True)),
        row("load: request latency p99", percentile(latencies, 99) * 1000, "ms", ("info", lambda v: True)),
        row("load: completed hold-and-cancel cycles", done[0], "cycles", ("info", lambda v: True)),
        row("load: errors: 5xx, refused or dropped", sum(e not in TIMEOUTS for e in errors), "count", at_most(0)),
        row(
            "load: errors: no answer within 30 s (API Gateway's limit)",
            sum(e in TIMEOUTS for e in errors),
            "count",
            at_most(0),
        ),
        row("load: double bookings", double, "count", at_most(0)),
    ]
