"""Routes name their models (chalicelib.web.routing.Model); the contract loads on the API's first use of it.

Every Lambda function imports app.py, and only the API validates requests: so `import app` loads neither
pydantic nor chalicelib/contract/, and a request loads only its own area's models. A name that is not a
model of the contract fails here, not on the first request that needs it.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.web.routing import ListOf, Model

ROOT = Path(__file__).resolve().parents[2]
# What a deployed function sees (no local-stage routes).
ENV = {"STAGE": "prod", "RESOURCE_PREFIX": "telemed", "AWS_DEFAULT_REGION": "eu-central-1"}
LOADED = (
    "import json, sys; {before}; print(json.dumps(sorted(m for m in sys.modules "
    "if m.split('.')[0] == 'pydantic' or m.startswith('chalicelib.contract'))))"
)


def test_every_model_a_route_names_is_a_model_of_the_contract() -> None:
    import app  # noqa: F401  (every route declared; the local stage's too)
    from chalicelib.web.routing import ROUTES

    wrong = []
    for spec in ROUTES:
        for ref in (spec.body_ref, spec.query_ref, spec.headers_ref, spec.response_ref):
            if isinstance(ref, Model):
                try:
                    ref.answer()
                except (ImportError, LookupError) as exc:
                    wrong.append(f"{spec.method} {spec.path}: {ref!r} ({exc})")
    assert wrong == []


def test_a_name_that_is_not_a_model_fails() -> None:
    assert Model("bookings.HoldRequest").resolve().__name__ == "HoldRequest"
    assert ListOf("bookings.Booking").answer() == list[Model("bookings.Booking").resolve()]
    with pytest.raises(LookupError):
        Model("bookings.NoSuchModel").resolve()
    with pytest.raises(LookupError):
        Model("bookings.BookingStatus").resolve()  # a Literal of the module, not a model
    with pytest.raises(ImportError):
        Model("no_such_area.Booking").resolve()
    with pytest.raises(ValueError):
        Model("HoldRequest")


def _loaded(before: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in ("STAGE", "LOCAL_STACK")}
    run = subprocess.run(
        [sys.executable, "-c", LOADED.format(before=before)],
        cwd=ROOT,
        env={**env, **ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: list[str] = json.loads(run.stdout)
    return loaded


def test_importing_the_app_loads_neither_pydantic_nor_the_contract() -> None:
    assert _loaded("import app") == []


def test_a_request_loads_only_its_own_models() -> None:
    first_request = (
        "import app; from chalicelib.web.routing import ROUTES; "
        "next(s for s in ROUTES if (s.method, s.path) == ('POST', '/auth/login')).body"
    )
    contract = [m for m in _loaded(first_request) if m.startswith("chalicelib.contract")]
    assert contract == ["chalicelib.contract", "chalicelib.contract.accounts", "chalicelib.contract.fields"]


def test_the_contract_is_imported_only_through_model() -> None:
    """Outside chalicelib/contract/ itself, a module names a model (`Model("area.Name")`), never imports it."""
    sources = [ROOT / "app.py", *(p for p in (ROOT / "chalicelib").rglob("*.py") if "contract" not in p.parts)]
    found = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or "", *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            if any(name == "chalicelib.contract" or name.startswith("chalicelib.contract.") for name in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
