"""Run every measure, print the table, write bench/results.json."""
from __future__ import annotations

import sys
import time

from bench import aws_operations, cold_start, conclusion_pdf, load, login, payment_mail, video
from bench.harness import machine, report, save

MEASURES = [cold_start.measure, login.measure, aws_operations.measure, payment_mail.measure, conclusion_pdf.measure, load.measure, video.measure]


def main() -> int:
    rows = []
    started = time.monotonic()
    for measure in MEASURES:
        rows.extend(measure())
    save(rows)
    print(f"Machine: {machine()}")
    print(report(rows))
    print(f"({time.monotonic() - started:.0f} s; written to bench/results.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
