"""The CDK app of one stage: `npx cdk ...` from infrastructure/ (cdk.json), or `make synth` offline.

Context (`-c name=value`): `stage` (default prod), `account` and `region` (else the CDK CLI's
CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION), `domain_name` + `certificate_arn` (CloudFront's own domain; the
certificate is ACM's, in us-east-1), and whatever the stack reads besides.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Chalice imports the project's app.py by module name: the project root must come first.
sys.path.insert(0, str(ROOT))

# Only for synthesizing with no account known (offline `make synth`, the tests): never deployable.
PLACEHOLDER_ACCOUNT = "123456789012"
DEFAULT_REGION = "eu-central-1"


def target(app) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """The stage, account and region to synthesize for: context first, then the CDK CLI's environment."""
    stage = app.node.try_get_context("stage") or "prod"
    account = app.node.try_get_context("account") or os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = (
        app.node.try_get_context("region")
        or os.environ.get("CDK_DEFAULT_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or DEFAULT_REGION
    )
    if not account:
        account = PLACEHOLDER_ACCOUNT
        print(
            f"synth: no AWS account known (no -c account=..., no CDK_DEFAULT_ACCOUNT): using the placeholder "
            f"{PLACEHOLDER_ACCOUNT}; fine for reading the template, not for deploying",
            file=sys.stderr,
        )
    return stage, account, region


def build(
    stage: str | None = None,
    outdir: str | None = None,  # type: ignore[no-untyped-def]
    context: dict[str, str] | None = None,
    acknowledge_findings: bool = True,
):
    import aws_cdk as cdk

    # Here, not at the top: run as a script (cdk.json), the package imports only after the sys.path line.
    from infrastructure.nag import acknowledge
    from infrastructure.stack import TelemedStage

    if outdir is None and not os.environ.get("CDK_OUTDIR"):  # the CDK CLI names its own
        outdir = str(ROOT / "infrastructure" / "cdk.out")
    app = cdk.App(outdir=outdir, context=context)
    named, account, region = target(app)
    stage = stage or named
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    stack = TelemedStage(app, f"telemed-{stage}", stage=stage, env=cdk.Environment(account=account, region=region))
    if acknowledge_findings:  # the reviewed cdk-nag findings (infrastructure/nag.py)
        acknowledge(stack)
    return app, stack


def _wheelhouse() -> None:
    """Chalice packages the Lambda from the wheels `make deps` fetched: offline, and the same as tested."""
    wheels = ROOT / ".wheelhouse"
    if (wheels / ".complete").exists():
        os.environ.setdefault("PIP_NO_INDEX", "1")
        os.environ.setdefault("PIP_FIND_LINKS", str(wheels))


if __name__ == "__main__":
    _wheelhouse()
    application, _ = build(sys.argv[1] if len(sys.argv) > 1 else None)
    application.synth()
    print(f"Synthesized into {application.outdir}", file=sys.stderr)
