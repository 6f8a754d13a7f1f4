"""The code's shape, as docs/ARCHITECTURE.md describes it, checked on every run.

Each rule here is one a reviewer would otherwise have to remember: small files, storage behind repositories,
layers that point one way, imports at the top of a module unless a library is heavy enough to matter to a cold
start. A failure names the file and line to change.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "chalicelib"
MAX_LINES = 400
# Generated files and tests may be long; everything a person writes and reads is held to MAX_LINES.
GENERATED = {ROOT / "frontend/src/api-types.ts"}
# Libraries heavy enough that importing them on every cold start would cost a Lambda more than it saves:
# they are imported where used, inside the function that needs them. AWS clients are made lazily (chalicelib/aws.py)
# so that a cold start stays short and moto can start first; jinja2 (30-50 ms) only where a template is rendered;
# moto only by the local stack's dev tools; pydantic (80-115 ms, and 40-110 ms more for the models) only by the
# API's first request that validates with a model of the contract (chalicelib.web.routing.Model), so that the
# WebSocket, SQS and scheduled functions never pay for it.
HEAVY = (
    "boto3",
    "botocore",
    "pyhanko",
    "pyhanko_certvalidator",
    "yookassa",
    "requests",
    "fpdf",
    "cryptography",
    "PIL",
    "segno",
    "icalendar",
    "asn1crypto",
    "argon2",
    "jinja2",
    "moto",
    "pydantic",
)


def _sources() -> Iterator[Path]:
    for pattern in ("chalicelib/**/*.py", "local/**/*.py", "bench/**/*.py", "infrastructure/*.py", "scripts/**/*.py"):
        yield from ROOT.glob(pattern)
    yield ROOT / "app.py"
    for pattern in ("frontend/src/**/*.ts", "frontend/src/**/*.vue"):
        yield from (p for p in ROOT.glob(pattern) if p not in GENERATED and ".spec." not in p.name)


def _modules(under: Path = LIB) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(under.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _function_local_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    yield node


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


def test_no_source_file_is_longer_than_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by what their parts are (at most {MAX_LINES} lines each)"


def test_imports_inside_functions_are_only_of_heavy_libraries() -> None:
    """Every Lambda imports app.py; only libraries in HEAVY are worth deferring to the function that needs them."""
    found = [
        f"{_where(path, node)} {', '.join(_imported(node))}"
        for path, tree in [*_modules(), (ROOT / "app.py", ast.parse((ROOT / "app.py").read_text()))]
        for node in _function_local_imports(tree)
        if not any(name.split(".")[0] in HEAVY for name in _imported(node))
    ]
    assert found == [], "import these at the top of the module (or fix the layering that made it local)"


def test_no_pynamodb_model_is_touched_outside_storage() -> None:
    found = []
    for path, tree in _modules():
        if path.is_relative_to(LIB / "storage"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = _imported(node)
                if any(n.startswith("pynamodb") or n.startswith("chalicelib.storage.tables") for n in names):
                    found.append(f"{_where(path, node)} {names[0]}")
    assert found == [], "read and write through a repository in chalicelib/storage/"


@pytest.mark.parametrize(
    ("layer", "must_not_import"),
    [
        ("booking", ("chalicelib.payments", "chalicelib.rooms", "chalicelib.web", "chalicelib.routes", "chalice")),
        ("storage", ("chalicelib.web", "chalicelib.routes", "chalice", "chalicelib.booking", "chalicelib.payments")),
        ("rooms", ("chalicelib.web", "chalicelib.routes", "chalice")),
        ("accounts", ("chalicelib.web", "chalicelib.routes", "chalice")),
        ("payments", ("chalicelib.web", "chalicelib.routes", "chalice")),
        ("conclusions", ("chalicelib.web", "chalicelib.routes", "chalice")),
        ("documents", ("chalicelib.web", "chalicelib.routes", "chalice")),
    ],
)
def test_layers_point_one_way(layer: str, must_not_import: tuple[str, ...]) -> None:
    found = [
        f"{_where(path, node)} {name}"
        for path, tree in _modules(LIB / layer)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in _imported(node)[:1]
        if any(name == banned or name.startswith(banned + ".") for banned in must_not_import)
    ]
    assert found == [], f"chalicelib/{layer}/ must not depend on {', '.join(must_not_import)}"


def test_no_http_in_domain_or_storage() -> None:
    """Status codes and cookies are the web edge's: domain modules say what happened, not how HTTP says it."""
    found = []
    for path, tree in _modules():
        if path.is_relative_to(LIB / "web") or path.is_relative_to(LIB / "routes") or path.parent == LIB:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "Set-Cookie" in node.value:
                found.append(f"{_where(path, node)} Set-Cookie")
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                if "statusCode" in keys:
                    found.append(f"{_where(path, node)} statusCode")
    assert found == []


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "ruff", "check", "."],
        ["-m", "ruff", "format", "--check", "."],
        ["-m", "mypy"],
    ],
    ids=["ruff-lint", "ruff-format", "mypy-strict"],
)
def test_lint_and_types(command: list[str]) -> None:
    """ruff (lint and format) over the repository and mypy --strict over chalicelib/ and app.py (pyproject.toml)."""
    run = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
