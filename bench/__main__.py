"""Run the measures, print the table, write bench/results.json and the table in README.md.

`python -m bench` runs every measure (what `make bench` does); `python -m bench consultation load` runs only
those (by module name) and replaces only their rows, keeping the others from bench/results.json.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from bench import (
    aws_operations,
    cold_start,
    conclusion_pdf,
    consultation,
    fuzz,
    load,
    login,
    payment_mail,
    reschedule,
    site_weight,
    three_way,
    video,
)
from bench.harness import Row, load_results, machine, merge, report, save

MEASURES = {
    "cold_start": cold_start.measure,
    "login": login.measure,
    "aws_operations": aws_operations.measure,
    "consultation": consultation.measure,
    "payment_mail": payment_mail.measure,
    "reschedule": reschedule.measure,
    "conclusion_pdf": conclusion_pdf.measure,
    "load": load.measure,
    "fuzz": fuzz.measure,
    "video": video.measure,
    "three_way": three_way.measure,
    "site_weight": site_weight.measure,
}


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in MEASURES]
    if unknown:
        print(f"unknown measure(s): {', '.join(unknown)}; known: {', '.join(MEASURES)}", file=sys.stderr)
        return 2
    chosen = [n for n in MEASURES if n in names] if names else list(MEASURES)
    rows: list[Row] = []
    started = time.monotonic()
    for name in chosen:
        for r in MEASURES[name]():
            r.group = name
            rows.append(r)
    if names:
        previous = [Row.from_json(r) for r in load_results()["rows"]]
        rows = merge(previous, rows, list(MEASURES))
    save(
        rows,
        dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        time.monotonic() - started,
        chosen if names else None,
    )
    print(f"Machine: {machine()}")
    print(report(rows))
    print(f"({time.monotonic() - started:.0f} s; written to bench/results.json and README.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
