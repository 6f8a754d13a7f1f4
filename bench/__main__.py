"""Run every measure, print the table, write bench/results.json and the table in README.md."""

from __future__ import annotations

import datetime as dt
import sys
import time

from bench import aws_operations, cold_start, conclusion_pdf, fuzz, load, login, payment_mail, video
from bench.harness import machine, report, save

MEASURES = [
    cold_start.measure,
    login.measure,
    aws_operations.measure,
    payment_mail.measure,
    conclusion_pdf.measure,
    load.measure,
    fuzz.measure,
    video.measure,
]


def main() -> int:
    rows = []
    started = time.monotonic()
    for measure in MEASURES:
        rows.extend(measure())
    save(rows, dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), time.monotonic() - started)
    print(f"Machine: {machine()}")
    print(report(rows))
    print(f"({time.monotonic() - started:.0f} s; written to bench/results.json and README.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
