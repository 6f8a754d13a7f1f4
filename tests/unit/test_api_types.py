"""frontend/src/api-types.ts is what openapi-typescript makes of the OpenAPI document the models make.

The frontend's API types come from chalicelib/contract/ (through the document), never by hand; a model or
route changed without `make api-types` fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
COMMITTED = FRONTEND / "src/api-types.ts"
GENERATOR = FRONTEND / "node_modules/.bin/openapi-typescript"
# The deployed app's document, as `make api-types` writes it (no local-stage routes).
ENV = {"STAGE": "prod", "RESOURCE_PREFIX": "telemed", "AWS_DEFAULT_REGION": "eu-central-1"}


def test_the_committed_api_types_are_generated_from_the_current_models(tmp_path: Path) -> None:
    assert GENERATOR.exists(), "openapi-typescript is missing: `cd frontend && npm ci` (make test does it)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in ("STAGE", "LOCAL_STACK")}
    document = subprocess.run(
        [sys.executable, "-m", "chalicelib.web.openapi"],
        cwd=ROOT,
        env={**env, **ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    (tmp_path / "openapi.json").write_text(document.stdout, encoding="utf-8")
    subprocess.run(
        [str(GENERATOR), str(tmp_path / "openapi.json"), "-o", str(tmp_path / "api-types.ts"), "--enum-values"],
        cwd=FRONTEND,
        capture_output=True,
        timeout=120,
        check=True,
    )
    generated = (tmp_path / "api-types.ts").read_text(encoding="utf-8")
    assert generated == COMMITTED.read_text(encoding="utf-8"), (
        "frontend/src/api-types.ts is stale: run `make api-types` and commit it"
    )
