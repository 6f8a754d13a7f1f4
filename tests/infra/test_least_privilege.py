"""Least privilege on the synthesized stage: one role per function, holding no more than infrastructure/access.py
declares for it; signing keys, the CA's private key and the audit log only where they are needed; the tables
with personal or health data protected and encrypted with the stage's own key."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

PREFIX = "telemed-prod"
ROLE_POLICY_LIMIT = 10240  # IAM: all inline policies of one role together, whitespace not counted


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from aws_cdk.assertions import Template

    from infrastructure.synth import build

    _app, stack = build("prod", outdir=str(tmp_path_factory.mktemp("cdk.out")))
    yield Template.from_stack(stack).to_json()


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements_of(template: dict[str, Any], function: str) -> list[dict[str, Any]]:
    """Every statement that reaches the function's role: its own inline policy and each attached AWS::IAM::Policy."""
    resources = template["Resources"]
    role_id = f"{function}Role"
    found = [s for p in resources[role_id]["Properties"].get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
    for policy in resources.values():
        if policy["Type"] == "AWS::IAM::Policy" and f'"{role_id}"' in json.dumps(policy["Properties"]["Roles"]):
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    return {a for s in statements if s.get("Effect", "Allow") == "Allow" for a in _list(s["Action"])}


def table(name: str) -> re.Pattern[str]:
    """A table's ARN (or one of its indexes) inside a statement's resources, as CloudFormation writes it."""
    return re.compile(rf"table/{PREFIX}-{re.escape(name)}(\"|/)")


def on_table(statements: list[dict[str, Any]], name: str) -> set[str]:
    """Actions a function may take on one table (from every statement that names it)."""
    pattern = table(name)
    return {a for s in statements for a in _list(s["Action"]) if pattern.search(json.dumps(s["Resource"]))}


def tables_named(statements: list[dict[str, Any]]) -> set[str]:
    return {m for s in statements for m in re.findall(rf"table/{PREFIX}-([a-z-]+?)(?:\"|/)", json.dumps(s["Resource"]))}


def functions() -> tuple[str, ...]:
    from infrastructure.stack import FUNCTIONS

    return FUNCTIONS


def declared() -> dict[str, Any]:
    from infrastructure.access import declarations

    return declarations()


def test_every_function_is_declared_once() -> None:
    assert set(declared()) == set(functions())


def test_declared_actions_and_indexes_exist() -> None:
    """A declaration names real indexes of its models and DynamoDB actions the code's calls need."""
    known = {
        "GetItem",
        "BatchGetItem",
        "Query",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "DescribeTable",
        "Scan",
    }
    for function, access in declared().items():
        for model, actions in access.tables.items():
            for action in actions:
                name, _, index = action.partition(":")
                assert name in known, (function, model.__name__, action)
                if index:
                    assert index in model._indexes, (function, model.__name__, action)


def test_one_role_per_function(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    lambdas = {
        name: r
        for name, r in resources.items()
        if r["Type"] == "AWS::Serverless::Function" and name != "BucketNotificationsHandler"
    }
    roles = {}
    for function in functions():
        name = "APIHandler" if function == "ApiHandler" else function
        roles[function] = lambdas[name]["Properties"]["Role"]
        assert roles[function] == {"Fn::GetAtt": [f"{function}Role", "Arn"]}, function
    assert len({json.dumps(r) for r in roles.values()}) == len(functions())
    # No policy is shared by two functions' roles.
    for policy_id, policy in resources.items():
        if policy["Type"] == "AWS::IAM::Policy":
            attached = [f for f in functions() if f'"{f}Role"' in json.dumps(policy["Properties"]["Roles"])]
            assert len(attached) <= 1, (policy_id, attached)


@pytest.mark.parametrize(
    "function",
    [
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
    ],
)
def test_each_role_holds_only_what_its_function_declares(template: dict[str, Any], function: str) -> None:
    held = actions_of(statements_of(template, function))
    extra = held - declared()[function].actions()
    assert not extra, f"{function} holds undeclared {sorted(extra)}"


def test_tables_by_declaration_and_no_other(template: dict[str, Any]) -> None:
    """The declaration names the tables by their models; the role names those tables, each with its actions."""
    from infrastructure.definitions import table_name

    for function, access in declared().items():
        statements = statements_of(template, function)
        assert tables_named(statements) == {m.Meta.name_suffix for m in access.tables}, function
        for model, actions in access.tables.items():
            expected = {"dynamodb:" + a.split(":")[0] for a in actions}
            assert on_table(statements, model.Meta.name_suffix) == expected, (function, table_name(model))
        for s in statements:
            assert not re.search(r"table/\*|table/[^\"]*\*\"", json.dumps(s["Resource"])), (function, s)


def test_signing_keys_only_for_the_api(template: dict[str, Any]) -> None:
    """kms:Sign only on this stage's doctors' keys (by alias), kms:CreateKey only for a tagged signing key, both
    only in the function that serves the admin's and the doctor's routes."""
    for function in functions():
        statements = statements_of(template, function)
        kms = {a for a in actions_of(statements) if a.startswith("kms:")}
        if function != "ApiHandler":
            assert not kms & {"kms:Sign", "kms:CreateKey", "kms:CreateAlias", "kms:TagResource", "kms:GetPublicKey"}, (
                function
            )
            continue
        [sign] = [s for s in statements if "kms:Sign" in _list(s["Action"])]
        assert _list(sign["Action"]) == ["kms:Sign"]
        assert sign["Condition"]["ForAnyValue:StringLike"] == {"kms:ResourceAliases": f"alias/{PREFIX}-doctor-*"}
        [create] = [s for s in statements if "kms:CreateKey" in _list(s["Action"])]
        assert create["Condition"]["StringEquals"] == {"kms:KeySpec": "RSA_2048", "kms:KeyUsage": "SIGN_VERIFY"}
        assert create["Condition"]["Null"] == {"aws:RequestTag/doctor_id": "false"}
        assert create["Condition"]["ForAllValues:StringEquals"] == {"aws:TagKeys": ["doctor_id"]}
        [tag] = [s for s in statements if "kms:TagResource" in _list(s["Action"])]
        assert tag["Condition"]["ForAllValues:StringEquals"] == {"aws:TagKeys": ["doctor_id"]}


def test_secrets_only_where_they_are_read(template: dict[str, Any]) -> None:
    """The CA's private key: only the function that issues doctors' certificates; YooKassa: who pays, refunds, sends
    closing receipts or reconciles."""
    from infrastructure.stack import stage_variables

    variables = stage_variables("prod")
    parameters = {k[: -len("_PARAMETER")]: v for k, v in variables.items() if k.endswith("_PARAMETER")}
    readers = {name: set() for name in parameters}
    for function in functions():
        statements = statements_of(template, function)
        text = json.dumps([s for s in statements if "ssm:GetParameter" in _list(s["Action"])])
        for name, path in parameters.items():
            if f'parameter{path}"' in text:
                readers[name].add(function)
        # A SecureString's key only through SSM, only for the parameters this function reads.
        for s in statements:
            if "kms:Decrypt" in _list(s["Action"]) and "ssm." in json.dumps(s.get("Condition")):
                arns = json.dumps(s["Condition"]["StringEquals"]["kms:EncryptionContext:PARAMETER_ARN"])
                assert {n for n, p in parameters.items() if f'parameter{p}"' in arns} == {
                    n for n in parameters if function in readers[n]
                }, function
    assert readers["CLINIC_CA_KEY_PEM"] == {"ApiHandler"}
    assert readers["CLINIC_CA_CERT_PEM"] == {"ApiHandler"}
    # YooKassa: payments and refunds (API, the timer's no-shows), closing receipts (DeliverMail), the reconciliation.
    yookassa = {"ApiHandler", "TimerEvents", "DeliverMail", "ReconcilePayments"}
    assert readers["YOOKASSA_SECRET_KEY"] == readers["YOOKASSA_SHOP_ID"] == yookassa


def test_websocket_messages_cannot_sign_or_reach_documents(template: dict[str, Any]) -> None:
    held = actions_of(statements_of(template, "WebsocketMessage"))
    assert "kms:Sign" not in held
    assert not [a for a in held if a.startswith(("s3:", "ssm:", "states:", "ses:", "secretsmanager:"))], held
    assert tables_named(statements_of(template, "WebsocketMessage")) == {"connections", "rooms"}


def test_mail_intake_cannot_read_payments(template: dict[str, Any]) -> None:
    """Concretely: no YooKassa credentials, no timer, no table it does not need (holds, slots, rooms, sessions,
    conclusions, audit, …); on bookings only the reads of the addressed booking and the attachment count."""
    statements = statements_of(template, "DocumentsByEmail")
    held = actions_of(statements)
    assert not [a for a in held if a.startswith(("ssm:", "states:", "secretsmanager:", "kinesisvideo:"))], held
    assert "yookassa" not in json.dumps(statements)
    assert tables_named(statements) == {
        "inbound-mail",
        "documents-addresses",
        "bookings",
        "attachments",
        "logins",
        "users",
        "outbox",
    }
    assert on_table(statements, "bookings") == {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"}
    s3 = [s for s in statements if any(a.startswith("s3:") for a in _list(s["Action"]))]
    assert "conclusions/" not in json.dumps(s3) and "uploads/" not in json.dumps(s3)


def test_the_audit_log_is_append_only(template: dict[str, Any]) -> None:
    """Append-only for every function but the retention schedule's, which deletes whole days past its term."""
    retention = on_table(statements_of(template, "ApplyRetention"), "audit")
    assert retention == {"dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchWriteItem"}
    for function in set(functions()) - {"ApplyRetention"}:
        actions = on_table(statements_of(template, function), "audit")
        allowed = {"dynamodb:PutItem", "dynamodb:Query"} if function == "ApiHandler" else {"dynamodb:PutItem"}
        if function == "DataExports":  # a patient's archive carries their access log: read, never written
            allowed = {"dynamodb:Query"}
        assert actions <= allowed, (function, actions)
        assert not actions & {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}, function


def test_tables_with_personal_data_are_protected(template: dict[str, Any]) -> None:
    from chalicelib.storage.tables import ALL_TABLES
    from infrastructure.access import protections

    resources = template["Resources"]
    classified = protections()
    assert set(classified) == set(ALL_TABLES)
    keys = {k: r for k, r in resources.items() if r["Type"] == "AWS::KMS::Key"}
    for model in ALL_TABLES:
        [props] = [
            r["Properties"]
            for r in resources.values()
            if r["Type"] == "AWS::DynamoDB::Table"
            and r["Properties"]["TableName"] == f"{PREFIX}-{model.Meta.name_suffix}"
        ]
        name, protection = props["TableName"], classified[model]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert props.get("DeletionProtectionEnabled", False) is protection.deletion_protection, name
        if protection.personal:
            assert protection.deletion_protection, name
        sse = props["SSESpecification"]
        assert sse["SSEEnabled"] is True and sse["SSEType"] == "KMS", name
        [key_id, _] = sse["KMSMasterKeyId"]["Fn::GetAtt"]
        assert keys[key_id]["Properties"]["EnableKeyRotation"] is True, name
        assert "Tables" in key_id, name  # the tables' own key, not the documents'


def _size(value: Any) -> int:
    """A policy's length once deployed: intrinsic functions replaced by plausible values."""

    def resolve(v: Any) -> Any:
        if isinstance(v, dict) and len(v) == 1:
            ((fn, arg),) = v.items()
            if fn == "Fn::Join":
                return arg[0].join(str(resolve(p)) for p in arg[1])
            if fn == "Ref":
                return {"AWS::Partition": "aws", "AWS::Region": "eu-central-1", "AWS::AccountId": "123456789012"}.get(
                    arg, "x" * 24
                )
            if fn == "Fn::GetAtt":
                return "arn:aws:service:eu-central-1:123456789012:" + "x" * 48
            if fn.startswith("Fn::"):
                return "x" * 24
        if isinstance(v, dict):
            return {k: resolve(x) for k, x in v.items()}
        if isinstance(v, list):
            return [resolve(x) for x in v]
        return v

    return len(json.dumps(resolve(value), separators=(",", ":")))


def test_each_role_fits_the_inline_policy_limit(template: dict[str, Any]) -> None:
    for function in functions():
        size = _size({"Version": "2012-10-17", "Statement": statements_of(template, function)})
        assert size < ROLE_POLICY_LIMIT, (function, size)


def test_only_the_reminders_senders_publish_sms_and_to_no_topic(template: dict[str, Any]) -> None:
    """sns:Publish (on *: a phone number has no ARN) only for the timer's events, which send the reminder, and the
    outbox's retries; the sender id comes from the stage's configuration."""
    for function in functions():
        statements = statements_of(template, function)
        publishing = [s for s in statements if "sns:Publish" in _list(s["Action"])]
        if function in ("TimerEvents", "DeliverMail"):
            assert [_list(s["Action"]) for s in publishing] == [["sns:Publish"]], function
            assert not [a for a in actions_of(statements) if a.startswith("sns:") and a != "sns:Publish"], function
        else:
            assert publishing == [], function
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            assert resource["Properties"]["Environment"]["Variables"]["SMS_SENDER_ID"] == "Telemed", name
