"""The field's own gates on the synthesized stage: cdk-nag (AWS Solutions, HIPAA Security) and checkov, offline.

The stage is built as production deploys it (its own domain and certificate). Every cdk-nag acknowledgment
(infrastructure/nag.py) and every checkov skip (infrastructure/checkov-skips.yaml) carries its reason and must
still match a finding: a fixed finding's entry is removed, not kept.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
SKIPS = ROOT / "infrastructure" / "checkov-skips.yaml"
PRODUCTION = {
    "stage": "prod",
    "domain_name": "telemed.clinic.ru",
    "certificate_arn": "arn:aws:acm:us-east-1:111122223333:certificate/0e8f4a52-1d2c-4a8e-9c61-4b7a3f0d9e21",
}


def synthesize(outdir: Path, acknowledge_findings: bool) -> tuple[Any, dict[str, Any]]:
    from infrastructure.nag import add_checks
    from infrastructure.synth import build

    app, stack = build(outdir=str(outdir), context=PRODUCTION, acknowledge_findings=acknowledge_findings)
    add_checks(app)
    report = outdir / "validation-report.json"
    try:
        app.synth()
    except Exception:  # the validation plugins fail the synth on an error; their report says which
        if not report.exists() or not json.loads(report.read_text())["pluginReports"]:
            raise
    return stack, json.loads(report.read_text())


def errors(report: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (v["ruleName"], c["constructPath"])
        for plugin in report["pluginReports"]
        for v in plugin["violations"]
        if v["severity"] == "error"
        for c in v["violatingConstructs"]
    )


@pytest.fixture(scope="module")
def acknowledged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any], Path]:
    """What `cdk synth` builds: the reviewed findings acknowledged."""
    outdir = tmp_path_factory.mktemp("gates")
    stack, report = synthesize(outdir, acknowledge_findings=True)
    return stack, report, outdir


@pytest.fixture(scope="module")
def unacknowledged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    """The same stage with nothing acknowledged: every finding cdk-nag has."""
    stack, report = synthesize(tmp_path_factory.mktemp("nag-all"), acknowledge_findings=False)
    return stack, report


def test_cdk_nag_finds_no_unacknowledged_error(acknowledged: tuple[Any, dict[str, Any], Path]) -> None:
    _, report, _ = acknowledged
    assert errors(report) == []


def test_every_acknowledgment_is_reasoned_and_still_needed(
    acknowledged: tuple[Any, dict[str, Any], Path], unacknowledged: tuple[Any, dict[str, Any]]
) -> None:
    from infrastructure.nag import acknowledged as reviewed

    stack, report = unacknowledged
    found = {(rule, path) for rule, path in errors(report)} | {
        (v["ruleName"], c["constructPath"])
        for plugin in report["pluginReports"]
        for v in plugin["violations"]
        for c in v["violatingConstructs"]
    }
    entries = reviewed(stack)
    assert len(entries) == len(set(entries))
    stale = []
    for path, rule, reason in entries:
        assert reason.strip() and "\n" not in reason and len(reason) <= 200, (path, rule)
        if (rule, f"{stack.stack_name}/{path}") not in found:
            stale.append((rule, path))
    assert stale == [], "acknowledged but no longer found: remove from infrastructure/nag.py"
    print(
        "cdk-nag findings before acknowledgment:",
        dict(
            Counter(
                f"{p['pluginName']} {v['severity']}"
                for p in report["pluginReports"]
                for v in p["violations"]
                for _ in v["violatingConstructs"]
            )
        ),
    )


def test_a_stage_without_its_own_domain_acknowledges_the_default_certificate() -> None:
    """CFR4 (TLSv1 on *.cloudfront.net) is acknowledged only when no domain is given."""
    import aws_cdk as cdk

    from infrastructure.domain import SiteDomain
    from infrastructure.nag import acknowledged as reviewed

    class Stage:  # what acknowledged() reads of a stack, without synthesizing one
        account, region, resource_prefix, stack_name = "123456789012", "eu-central-1", "telemed-prod", "telemed-prod"

        def __init__(self, context: dict[str, str]) -> None:
            self.site_domain = SiteDomain.from_context(cdk.App(context=context).node)
            self.node = self

        def find_child(self, _: str) -> Any:
            return self

        @property
        def default_child(self) -> Any:
            return self

        def get_logical_id(self, _: Any) -> str:
            return "Documents7E5B2978"

    def rules(context: dict[str, str]) -> set[str]:
        return {rule for _, rule, _ in reviewed(Stage(context))}

    assert "AwsSolutions-CFR4" in rules({}) and "AwsSolutions-CFR4" not in rules(PRODUCTION)


def checkov(templates: list[Path]) -> dict[str, Any]:
    """checkov offline: no platform key, no download of external checks, every proxy pointing nowhere."""
    assert CHECKOV.exists(), "make test installs checkov into .venv-checkov (requirements-checkov.txt)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_", "CKV_"))}
    env.update(HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="", no_proxy="")
    command = [str(CHECKOV), "--framework", "cloudformation", "--skip-download", "--compact", "-o", "json"]
    for template in templates:
        command += ["-f", str(template)]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 1), run.stderr[-3000:]  # 1: some check failed
    result = json.loads(run.stdout)
    return result if isinstance(result, dict) else next(r for r in result if r["check_type"] == "cloudformation")


def skipped(failed: dict[str, Any], skips: dict[str, Any]) -> bool:
    entry = skips.get(failed["check_id"])
    if entry is None:
        return False
    logical_id = failed["resource"].split(".", 1)[1]
    return "resources" not in entry or any(logical_id.startswith(prefix) for prefix in entry["resources"])


def test_checkov_offline_finds_nothing_outside_the_reviewed_skips(
    acknowledged: tuple[Any, dict[str, Any], Path],
) -> None:
    _, _, outdir = acknowledged
    templates = sorted(outdir.glob("*.template.json"))
    assert len(templates) == 2  # the stage and its us-east-1 edge stack
    result = checkov(templates)
    assert result["summary"]["parsing_errors"] == 0 and result["summary"]["passed"] > 200  # it did check
    skips = yaml.safe_load(SKIPS.read_text())
    failed = result["results"]["failed_checks"]
    outside = sorted({(f["check_id"], f["resource"]) for f in failed if not skipped(f, skips)})
    assert outside == []
    used = {f["check_id"] for f in failed if skipped(f, skips)}
    assert sorted(set(skips) - used) == [], "skipped but no longer failing: remove from checkov-skips.yaml"
    for check_id, entry in skips.items():
        assert set(entry) <= {"reason", "resources"} and "\n" not in entry["reason"].strip(), check_id
    print("checkov:", result["summary"], dict(Counter(f["check_id"] for f in failed)))
