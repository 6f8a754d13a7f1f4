"""Sign-in latency in-process (moto), with the stage's Argon2id parameters."""

from __future__ import annotations

import time
import uuid

from bench.harness import Row, at_most, percentile, row
from bench.inprocess import moto_stage

RUNS = 60


def measure() -> list[Row]:
    with moto_stage():
        from chalicelib.accounts import passwords, signin
        from chalicelib.clock import now
        from chalicelib.storage import accounts as store
        from chalicelib.storage.tables import User

        params = passwords.parameters()
        store.create_user(
            User(
                uuid.uuid4().hex,
                email="bench@example.org",
                full_name="Bench",
                roles={"patient"},
                password_hash=passwords.hash_password("bench password 1"),
                created_at=now(),
            )
        )
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            signin.sign_in("bench@example.org", "bench password 1", "127.0.0.1")
            timings.append((time.perf_counter() - started) * 1000)
    label = f"sign-in in-process, Argon2id m={params.memory_kib // 1024} MiB t={params.iterations} p=1"
    return [
        row(f"{label}, p50", percentile(timings, 50), "ms", at_most(150)),
        row(f"{label}, p95", percentile(timings, 95), "ms", at_most(250)),
    ]
