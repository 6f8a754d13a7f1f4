"""cdk-nag on the stage: the rule packs, and every acknowledged finding with its reason, in this one place.

cdk-nag 3 reports through CDK's policy validation (`Validations`): an acknowledgment names the rule (and,
for rules with several findings per resource, the finding) on a construct, with a one-line reason.
"""
from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import IConstruct


def add_checks(app: cdk.App) -> None:
    """The packs the gate runs (tests/infra/test_gates.py): AWS Solutions and HIPAA Security."""
    import cdk_nag

    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app), cdk_nag.HIPAASecurityChecks(app))


def _find(stack: cdk.Stack, path: str) -> IConstruct | None:
    node: Any = stack
    for part in path.split("/"):
        node = node.node.try_find_child(part)
        if node is None:
            return None
    return node


def acknowledge(stack: cdk.Stack) -> list[str]:
    """Acknowledge the reviewed findings; returns the construct paths that no longer exist (stale entries)."""
    missing = []
    for path, rules in ACKNOWLEDGED.items():
        target = stack if path == "" else _find(stack, path)
        if target is None:
            missing.append(path)
            continue
        cdk.Validations.of(target).acknowledge(*[cdk.Acknowledgment(id=rule, reason=reason)
                                                for rule, reason in rules.items()])
    return missing


# construct path under the stack ("" = the whole stack) → {rule or rule[finding]: one-line reason}
ACKNOWLEDGED: dict[str, dict[str, str]] = {
}
