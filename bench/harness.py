"""Rows of the benchmark table and how they are printed and saved."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"


@dataclass
class Row:
    measure: str
    value: float
    unit: str
    goal: str
    passed: bool
    group: str = ""  # the measure (module) that made the row: `python -m bench <group>` replaces its rows

    def as_json(self) -> dict:
        data = asdict(self)
        data["pass"] = data.pop("passed")
        return data

    @classmethod
    def from_json(cls, data: dict) -> Row:
        return cls(data["measure"], data["value"], data["unit"], data["goal"], data["pass"], data.get("group", ""))


Measure = Callable[[], list[Row]]


def at_most(limit: float) -> tuple[str, Callable[[float], bool]]:
    return f"≤ {limit:g}", lambda value: value <= limit


def at_least(limit: float) -> tuple[str, Callable[[float], bool]]:
    return f"≥ {limit:g}", lambda value: value >= limit


def row(measure: str, value: float, unit: str, goal: tuple[str, Callable[[float], bool]]) -> Row:
    text, check = goal
    return Row(measure, round(value, 4), unit, text, bool(check(value)))


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def fresh_python(code: str, env: dict[str, str] | None = None) -> str:
    """Run `code` in a new interpreter at the project root and return its stdout."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, check=True
    ).stdout


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def report(rows: list[Row]) -> str:
    header = ("measure", "value", "unit", "goal", "pass")
    cells = [header] + [(r.measure, f"{r.value:g}", r.unit, r.goal, "yes" if r.passed else "NO") for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c[i].ljust(widths[i]) for i in range(len(header))) + " |" for c in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


README = ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- bench:start -->", "<!-- bench:end -->"


def load_results() -> dict:
    return json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {"rows": []}


def merge(previous: list[Row], fresh: list[Row], order: list[str]) -> list[Row]:
    """The rows of `order`'s groups: the fresh ones for the groups that ran, the previous ones for the rest."""
    ran = {r.group for r in fresh}
    merged = []
    for group in order:
        merged.extend(r for r in (fresh if group in ran else previous) if r.group == group)
    return merged


def save(rows: list[Row], ran_at: str, seconds: float, only: list[str] | None = None) -> None:
    """bench/results.json, and the table between the bench markers in README.md.

    A full run (`only` None) starts afresh; `python -m bench <group> …` keeps the other groups' rows and the
    full run's date, and records which groups it updated and when."""
    data = {"machine": machine(), "ran_at": ran_at, "seconds": round(seconds), "updates": []}
    if only is not None:
        previous = load_results()
        data = {**previous, "machine": machine()}
        data["updates"] = [u for u in previous.get("updates", []) if set(u["groups"]) - set(only)] + [
            {"groups": only, "ran_at": ran_at, "seconds": round(seconds)}
        ]
    data["rows"] = [r.as_json() for r in rows]
    RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_table(data)


def write_table(data: dict) -> None:
    """The table between the bench markers in README.md, from bench/results.json's content."""
    rows = [Row.from_json(r) for r in data["rows"]]
    text = README.read_text(encoding="utf-8")
    if TABLE_START in text and TABLE_END in text:
        head, rest = text.split(TABLE_START, 1)
        tail = rest.split(TABLE_END, 1)[1]
        failed = sum(not r.passed for r in rows)
        summary = "every goal met" if not failed else f"{failed} goal(s) not met"
        updates = "".join(
            f" Rows of {', '.join(u['groups'])} from `python -m bench {' '.join(u['groups'])}` on {u['ran_at']}."
            for u in data["updates"]
        )
        block = (
            f"{TABLE_START}\n`make bench` on {data['ran_at']} ({round(data['seconds'] / 60)} min); {summary}; "
            f"machine: {data['machine']}.{updates}\n\n{report(rows)}\n{TABLE_END}"
        )
        README.write_text(head + block + tail, encoding="utf-8")
