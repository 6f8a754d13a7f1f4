"""`make synth`: the stage's CloudFormation, offline (no AWS account, no network for AWS)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Chalice imports the project's app.py by module name: the project root must come first.
sys.path.insert(0, str(ROOT))


def build(stage: str = "prod", outdir: str | None = None):  # type: ignore[no-untyped-def]
    import aws_cdk as cdk

    from infrastructure.stack import TelemedStage

    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    app = cdk.App(outdir=outdir or str(ROOT / "infrastructure" / "cdk.out"))
    stack = TelemedStage(app, f"telemed-{stage}", stage=stage,
                         env=cdk.Environment(account="123456789012", region=os.environ["AWS_DEFAULT_REGION"]))
    return app, stack


if __name__ == "__main__":
    application, _ = build(sys.argv[1] if len(sys.argv) > 1 else "prod")
    application.synth()
    print(f"Synthesized into {application.outdir}")
