"""cdk-nag on the stage: the rule packs, and every acknowledged finding with its reason, in this one place.

cdk-nag 3 reports through CDK's policy validation (`Validations`): an acknowledgment names the rule (and, for
rules with several findings per resource such as IAM5, the finding) on a construct, with a one-line reason.
The gate is tests/infra/test_gates.py (0 unacknowledged errors in AwsSolutions and HIPAA Security); checkov's
reviewed skips are in checkov-skips.yaml beside this file.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import IConstruct

FUNCTIONS = (
    "ApiHandler",
    "WebsocketConnect",
    "WebsocketMessage",
    "WebsocketDisconnect",
    "TimerEvents",
    "DocumentsByEmail",
    "RollSchedules",
    "DeliverMail",
    "ApplyRetention",
    "ReconcilePayments",
    "DataExports",
)

# Reasons used more than once.
OBJECTS = (
    "objects are named at run time under their prefix (one per booking, attachment or message): the "
    "prefix is the narrowest resource"
)
INLINE = (
    "each role's policy is made for that role alone from its declaration (infrastructure/access.py); a "
    "managed policy would only add an attachable copy"
)
REPLICATION = (
    "no copy in another region: patients' data stays in the stage's region (152-FZ residency); "
    "versioning, retention and deletion protection guard against loss"
)


def add_checks(app: cdk.App) -> None:
    """The packs the gate runs (tests/infra/test_gates.py): AWS Solutions and HIPAA Security."""
    import cdk_nag  # here, not at the top: a development requirement (requirements-dev.txt), not a deploy's

    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app), cdk_nag.HIPAASecurityChecks(app))


def _find(stack: cdk.Stack, path: str) -> IConstruct | None:
    node: Any = stack
    for part in path.split("/"):
        node = node.node.try_find_child(part)
        if node is None:
            return None
    return node


def acknowledged(stack: Any) -> list[tuple[str, str, str]]:
    """(construct path under the stack, rule or rule[finding], one-line reason) for every reviewed finding."""
    account, region, prefix = stack.account, stack.region, stack.resource_prefix
    arn = f"arn:<AWS::Partition>:{{}}:{region}:{account}:{{}}"
    documents = stack.get_logical_id(stack.node.find_child("Documents").node.default_child)
    found: list[tuple[str, str, str]] = []

    def add(paths: list[str] | str, rule: str, reason: str) -> None:
        for path in [paths] if isinstance(paths, str) else paths:
            found.append((path, rule, reason))

    roles = [f"App/ChaliceApp/{f}Role" for f in FUNCTIONS]
    policies = {f: f"App/{f}Role/Policy/Resource" for f in FUNCTIONS}

    # IAM: what least privilege (infrastructure/access.py) cannot name more narrowly.
    add(
        roles,
        "AwsSolutions-IAM5[Resource::arn:*:logs:*:*:*]",
        "Chalice's base policy for the function's own logs; the groups are made beforehand, with retention "
        "(operations.py)",
    )
    for prefix_, functions in (
        ("uploads", ["ApiHandler"]),
        ("attachments", ["ApiHandler", "DocumentsByEmail", "DataExports"]),
        ("conclusions", ["ApiHandler", "DeliverMail", "DataExports"]),
        ("inbound", ["DocumentsByEmail"]),
        ("exports", ["ApiHandler", "DataExports"]),  # patients' archives («Мои данные»)
    ):
        add([policies[f] for f in functions], f"AwsSolutions-IAM5[Resource::<{documents}.Arn>/{prefix_}/*]", OBJECTS)
    for prefix_ in ("inbound", "exports", "attachments", "conclusions"):  # the retention schedule's deletes
        add(policies["ApplyRetention"], f"AwsSolutions-IAM5[Resource::<{documents}.Arn>/{prefix_}/*]", OBJECTS)
    add(
        # DeliverMail (closing receipts) and ReconcilePayments read YooKassa's credentials: SecureStrings.
        [policies[f] for f in ("ApiHandler", "TimerEvents", "DeliverMail", "ReconcilePayments")],
        f"AwsSolutions-IAM5[Resource::{arn.format('kms', 'key/*')}]",
        "doctors' signing keys are made at run time and SecureStrings' key is the account's: every action is "
        "bound by condition (doctor alias, tag, key spec, or SSM and the parameter's ARN)",
    )
    add(
        policies["ApiHandler"],
        f"AwsSolutions-IAM5[Resource::{arn.format('kms', f'alias/{prefix}-doctor-*')}]",
        "one alias per doctor, created with the doctor's signing key at run time",
    )
    add(
        policies["ApiHandler"],
        "AwsSolutions-IAM5[Resource::*]",
        "kms:CreateKey has no resource to name; limited by condition to RSA_2048 SIGN_VERIFY keys tagged doctor_id",
    )
    add(
        [policies[f] for f in ("ApiHandler", "TimerEvents", "DocumentsByEmail", "DeliverMail", "ReconcilePayments")],
        f"AwsSolutions-IAM5[Resource::{arn.format('ses', 'identity/*')}]",
        "SES authorizes the sender's and, in the sandbox, each recipient's identity; recipients are patients' "
        "own addresses",
    )
    add(
        [policies[f] for f in ("TimerEvents", "DeliverMail")],
        "AwsSolutions-IAM5[Resource::*]",
        "sns:Publish to a phone number (the reminder's SMS) has no resource ARN; SNS authorizes it only on *, and "
        "these functions publish to no topic",
    )
    add(
        [policies[f] for f in ("ApiHandler", "DeliverMail")],  # DeliverMail: a moved booking's timer job
        f"AwsSolutions-IAM5[Resource::{arn.format('states', f'execution:{prefix}-booking-timer:*')}]",
        "one timer execution per booking and move, named after them at run time; only this machine's executions",
    )
    add(
        [policies[f] for f in ("WebsocketMessage", "WebsocketDisconnect", "TimerEvents")],
        f"AwsSolutions-IAM5[Resource::{arn.format('execute-api', '<WebsocketAPI>/api/POST/@connections/*')}]",
        "replies go to connections by their run-time id; only this stage's WebSocket API",
    )
    add(
        "BookingTimerRole/DefaultPolicy/Resource",
        "AwsSolutions-IAM5[Resource::*]",
        "CloudWatch Logs' log-delivery actions, which Step Functions needs for its logging, take no resource ARN",
    )
    add(
        "BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource",
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "CDK's own deploy-time handler that sets the documents bucket's notifications; logs only",
    )
    add(
        "ApiGatewayLogging/Resource",
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AmazonAPIGatewayPushToCloudWatchLogs]",
        "the policy AWS made for API Gateway's account-wide logging role; nothing else uses the role",
    )
    add(
        [
            *roles,
            *policies.values(),
            "BookingTimerRole/DefaultPolicy/Resource",
            "Documents/Notifications/HandlerPolicy/Resource",
        ],
        "HIPAA.Security-IAMNoInlinePolicy",
        INLINE,
    )

    # APIs: the app authorizes every request itself.
    add(
        [f"App/ChaliceApp/Websocket{r}Route" for r in ("Connect", "Message", "Disconnect")],
        "AwsSolutions-APIG4",
        "signaling is authorized by the app: a single-use ticket bound to the room and the person "
        "(chalicelib/rooms/signaling.py)",
    )
    add(
        "App/ChaliceApp/WebsocketAPIStage",
        "AwsSolutions-APIG1",
        "access logs are set on Chalice's stage by a property override (operations.py), which cdk-nag cannot "
        "see; tested in test_edge_and_operations.py",
    )

    # Buckets.
    add(
        ["Documents/Resource", "Site/Resource", "AccessLogs/Resource"],
        "HIPAA.Security-S3BucketReplicationEnabled",
        REPLICATION,
    )
    add(
        "Site/Resource",
        "HIPAA.Security-S3DefaultEncryptionKMS",
        "the site is the public build of frontend/ served to everyone; SSE-S3 at rest",
    )
    add(
        "AccessLogs/Resource",
        "HIPAA.Security-S3DefaultEncryptionKMS",
        "S3 server access logging and CloudFront's standard logs can deliver only to SSE-S3 buckets",
    )

    # The secret CloudFront vouches for the viewer's address with.
    add(
        "OriginVerify/Resource",
        "AwsSolutions-SMG4",
        "not a service credential Secrets Manager can rotate: the value sits in CloudFront's origin header; "
        "rotated by a new value and a deploy",
    )
    add(
        "OriginVerify/Resource",
        "HIPAA.Security-SecretsManagerRotationEnabled",
        "rotated with the distribution by a new value and a deploy (the origin header must change with it)",
    )

    # Queues that are themselves where failures land.
    add(
        ["ScheduledFailures/Resource", "BookingTimerFailures/Resource"],
        "AwsSolutions-SQS3",
        "this queue is where failed events land; any message in it alarms (operations.py)",
    )

    # The booking timer: its logs are on (level ALL, without the execution's data).
    add(
        "BookingTimer",
        "AwsSolutions-SF2",
        "X-Ray is optional (issue 15): each step is in the timer's log group and the app's JSON logs carry "
        "the request id",
    )

    # CloudFront.
    add(
        "Distribution/Resource",
        "AwsSolutions-CFR1",
        "no geographic restriction: patients may be anywhere, including abroad; the WAF's IP reputation "
        "and rate rules apply",
    )
    if stack.site_domain.name is None:
        add(
            "Distribution/Resource",
            "AwsSolutions-CFR4",
            "no -c domain_name/certificate_arn: the default *.cloudfront.net certificate allows TLSv1; give a "
            "domain for TLSv1.2_2021",
        )
    return found


def acknowledge(stack: cdk.Stack) -> list[str]:
    """Acknowledge the reviewed findings; returns the construct paths that no longer exist (stale entries)."""
    missing = []
    for path, rule, reason in acknowledged(stack):
        target = _find(stack, path)
        if target is None:
            missing.append(path)
            continue
        cdk.Validations.of(target).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))
    return missing
