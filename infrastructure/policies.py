"""How a declaration of infrastructure/access.py becomes IAM statements: named actions on named resources, each
key only through its service. `grant` is the only place a function's role gets a grant (stack.py calls it once per
function); `table_protection` turns a table's Protection into its deployment-only properties.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from chalicelib.signing.pades import SIGNING_ALGORITHM
from infrastructure.access import (
    QUEUE_CONSUMER_ACTIONS,
    S3_READS,
    S3_WRITES,
    SIGNING_KEY_SPEC,
    SIGNING_KEY_TAG,
    SIGNING_KEY_USAGE,
    SIGNING_MESSAGE_TYPE,
    WRITES,
    Access,
    protections,
)
from infrastructure.definitions import table_name


@dataclass(frozen=True)
class Targets:
    """The stack's resources a grant may name."""

    stack: Any
    prefix: str
    documents: Any  # s3.Bucket
    data_key: Any  # kms.Key of the documents bucket
    tables_key: Any  # kms.Key of the tables
    timer_arn: str
    queues: Mapping[str, Any]  # full queue name → sqs.Queue
    channel_arn: str
    websocket_api_id: str
    parameters: Mapping[str, str]  # secret name → SSM parameter name, for the stage


def _arn(targets: Targets, service: str, resource: str, name: str, colon: bool = False) -> str:
    return cdk.Arn.format(
        cdk.ArnComponents(
            service=service,
            resource=resource,
            resource_name=name,
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME if colon else cdk.ArnFormat.SLASH_RESOURCE_NAME,
        ),
        targets.stack,
    )


def table_arn(targets: Targets, model: Any) -> str:
    return _arn(targets, "dynamodb", "table", table_name(model, targets.prefix))


def statements(access: Access, targets: Targets) -> list[Any]:
    """The IAM statements of one declaration: named actions on named resources, nothing else."""
    region = targets.stack.region
    found: list[Any] = []

    # Tables: one statement per distinct set of actions (the role's inline policies share 10 KB).
    by_actions: dict[tuple[str, ...], list[str]] = {}
    for model, actions in access.tables.items():
        on_table = tuple(sorted({"dynamodb:" + a for a in actions if ":" not in a}))
        if on_table:
            by_actions.setdefault(on_table, []).append(table_arn(targets, model))
        for index in sorted(a.split(":", 1)[1] for a in actions if ":" in a):
            by_actions.setdefault(("dynamodb:Query",), []).append(f"{table_arn(targets, model)}/index/{index}")
    for actions, arns in by_actions.items():
        found.append(iam.PolicyStatement(actions=list(actions), resources=arns))
    if access.tables:
        writes = any(a in WRITES for actions in access.tables.values() for a in actions)
        found.append(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:DescribeKey"] + (["kms:Encrypt", "kms:GenerateDataKey"] if writes else []),
                resources=[targets.tables_key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"dynamodb.{region}.amazonaws.com"}},
            )
        )

    # Documents: per prefix; the data key only through S3.
    by_actions = {}
    for prefix, actions in access.objects.items():
        by_actions.setdefault(tuple(sorted("s3:" + a for a in actions)), []).append(
            targets.documents.arn_for_objects(prefix + "*")
        )
    for actions, arns in by_actions.items():
        found.append(iam.PolicyStatement(actions=list(actions), resources=arns))
    if access.lists_versions:  # listing is on the bucket: only under the declared prefixes
        found.append(
            iam.PolicyStatement(
                actions=["s3:ListBucketVersions"],
                resources=[targets.documents.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [p + "*" for p in access.lists_versions]}},
            )
        )
    s3_actions = {a for actions in access.objects.values() for a in actions}
    key_actions = (["kms:Decrypt"] if S3_READS & s3_actions else []) + (
        ["kms:GenerateDataKey"] if S3_WRITES & s3_actions else []
    )
    if key_actions:
        found.append(
            iam.PolicyStatement(
                actions=key_actions,
                resources=[targets.data_key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            )
        )

    # Secrets in SSM: only the parameters this function reads; their SecureString key only through SSM and only
    # for those parameters (SSM's encryption context names the parameter).
    names = [targets.parameters[p] for p in access.parameters if p in targets.parameters]
    if names:
        arns = [_arn(targets, "ssm", "parameter", name.lstrip("/")) for name in names]
        found.append(iam.PolicyStatement(actions=["ssm:GetParameter"], resources=arns))
        found.append(
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[_arn(targets, "kms", "key", "*")],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": f"ssm.{region}.amazonaws.com",
                        "kms:EncryptionContext:PARAMETER_ARN": arns,
                    }
                },
            )
        )

    if access.mail:
        found.append(
            iam.PolicyStatement(actions=["ses:SendRawEmail"], resources=[_arn(targets, "ses", "identity", "*")])
        )
    if access.sms:
        # Publishing to a phone number has no resource to name (SNS authorizes sns:Publish on "*"); the function
        # publishes to no topic.
        found.append(iam.PolicyStatement(actions=["sns:Publish"], resources=["*"]))
    if "StartExecution" in access.timer:
        found.append(iam.PolicyStatement(actions=["states:StartExecution"], resources=[targets.timer_arn]))
    if "StopExecution" in access.timer:
        found.append(
            iam.PolicyStatement(
                actions=["states:StopExecution"],
                resources=[_arn(targets, "states", "execution", f"{targets.prefix}-booking-timer:*", colon=True)],
            )
        )
    if access.sends_to:
        found.append(
            iam.PolicyStatement(
                actions=["sqs:SendMessage"],
                resources=[targets.queues[f"{targets.prefix}-{name}"].queue_arn for name in access.sends_to],
            )
        )
    if access.consumes:
        found.append(
            iam.PolicyStatement(
                actions=list(QUEUE_CONSUMER_ACTIONS),
                resources=[targets.queues[f"{targets.prefix}-{name}"].queue_arn for name in access.consumes],
            )
        )
    if access.turn:
        found.append(
            iam.PolicyStatement(
                actions=["kinesisvideo:GetSignalingChannelEndpoint", "kinesisvideo:GetIceServerConfig"],
                resources=[targets.channel_arn],
            )
        )
    if access.websocket_replies:
        # Chalice grants this only with its generated policy (autogen_policy is off): the stage's connections.
        found.append(
            iam.PolicyStatement(
                actions=["execute-api:ManageConnections"],
                resources=[_arn(targets, "execute-api", targets.websocket_api_id, "api/POST/@connections/*")],
            )
        )

    any_key = _arn(targets, "kms", "key", "*")
    if access.creates_signing_keys:
        # A new key must be a signing key carrying its doctor's tag, and nothing else.
        tagged = {
            "Null": {f"aws:RequestTag/{SIGNING_KEY_TAG}": "false"},
            "ForAllValues:StringEquals": {"aws:TagKeys": [SIGNING_KEY_TAG]},
        }
        found.append(
            iam.PolicyStatement(
                actions=["kms:CreateKey"],
                resources=["*"],
                conditions={
                    "StringEquals": {"kms:KeySpec": SIGNING_KEY_SPEC, "kms:KeyUsage": SIGNING_KEY_USAGE},
                    **tagged,
                },
            )
        )
        found.append(iam.PolicyStatement(actions=["kms:TagResource"], resources=[any_key], conditions=tagged))
        found.append(
            iam.PolicyStatement(
                actions=["kms:CreateAlias"],
                resources=[_arn(targets, "kms", "alias", f"{targets.prefix}-doctor-*"), any_key],
            )
        )
        # Read right after creation, before an alias or tag can authorize anything (they take up to 5 minutes).
        found.append(
            iam.PolicyStatement(
                actions=["kms:GetPublicKey"],
                resources=[any_key],
                conditions={"StringEquals": {"kms:KeySpec": SIGNING_KEY_SPEC, "kms:KeyUsage": SIGNING_KEY_USAGE}},
            )
        )
    if access.signs:
        # Only keys under this stage's doctors' alias, only the algorithm and message type the signer uses.
        found.append(
            iam.PolicyStatement(
                actions=["kms:Sign"],
                resources=[any_key],
                conditions={
                    "ForAnyValue:StringLike": {"kms:ResourceAliases": f"alias/{targets.prefix}-doctor-*"},
                    "StringEquals": {
                        "kms:SigningAlgorithm": SIGNING_ALGORITHM,
                        "kms:MessageType": SIGNING_MESSAGE_TYPE,
                    },
                },
            )
        )
    return found


def grant(role: Any, access: Access, targets: Targets) -> None:
    for statement in statements(access, targets):
        role.add_to_principal_policy(statement)


def table_protection(model: Any, tables_key: Any) -> dict[str, Any]:
    """The deployment-only table properties (infrastructure/definitions.py table_properties keyword arguments):
    the local stack's moto never sees them."""
    protection = protections()[model]
    return {"encryption_key_arn": tables_key.key_arn, "deletion_protection": protection.deletion_protection}
