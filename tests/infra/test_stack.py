"""The stage's CloudFormation, synthesized offline, checked for what the clinic needs from AWS."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
WILDCARD = re.compile(r"^(\*|(dynamodb|s3|kms|ses|states):\*)$")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from aws_cdk.assertions import Template

    from infrastructure.synth import build

    _app, stack = build("prod", outdir=str(tmp_path_factory.mktemp("cdk.out")))
    yield Template.from_stack(stack)


def resources(template: Any, kind: str) -> dict[str, Any]:
    return template.find_resources(kind)


def test_every_table_from_the_shared_definitions(template: Any) -> None:
    from chalicelib.storage.tables import ALL_TABLES

    tables = {
        r["Properties"]["TableName"]: r["Properties"] for r in resources(template, "AWS::DynamoDB::Table").values()
    }
    assert set(tables) == {f"telemed-prod-{m.Meta.name_suffix}" for m in ALL_TABLES}
    for name, props in tables.items():
        assert props["BillingMode"] == "PAY_PER_REQUEST", name
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
    sessions = next(p for n, p in tables.items() if n.endswith("-sessions"))
    assert sessions["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}


def test_the_documents_bucket_is_private_encrypted_and_versioned(template: Any) -> None:
    buckets = [r["Properties"] for r in resources(template, "AWS::S3::Bucket").values()]
    documents = next(b for b in buckets if b.get("BucketName") == "telemed-prod-documents")
    rule = documents["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert documents["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(
        documents["PublicAccessBlockConfiguration"][k]
        for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    )
    assert {r["Id"] for r in documents["LifecycleConfiguration"]["Rules"]} >= {"inbound-mail", "old-versions"}


def test_the_site_is_behind_cloudfront_with_the_api_on_the_same_domain(template: Any) -> None:
    [distribution] = resources(template, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert [b["PathPattern"] for b in config["CacheBehaviors"]] == ["/api/*"]
    [policy] = resources(template, "AWS::CloudFront::ResponseHeadersPolicy").values()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]
    csp = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "frame-ancestors 'none'" in csp
    assert headers["SecurityHeadersConfig"]["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    permissions = headers["CustomHeadersConfig"]["Items"][0]
    assert (
        permissions["Header"] == "Permissions-Policy"
        and "camera=(self)" in permissions["Value"]
        and "microphone=(self)" in permissions["Value"]
    )


def test_the_api_hears_the_patients_address_only_from_cloudfront(template: Any) -> None:
    [distribution] = resources(template, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    [api] = config["CacheBehaviors"]
    [association] = api["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function = resources(template, "AWS::CloudFront::Function")[association["FunctionARN"]["Fn::GetAtt"][0]]
    assert "r.headers['true-client-ip'] = {value: event.viewer.ip}" in function["Properties"]["FunctionCode"]
    [origin] = [o for o in config["Origins"] if o["Id"] == api["TargetOriginId"]]
    [vouch] = origin["OriginCustomHeaders"]
    assert vouch["HeaderName"] == "x-origin-verify"
    secret = json.dumps(vouch["HeaderValue"])
    assert "resolve:secretsmanager" in secret  # resolved on deploy, never in the template
    [(secret_id, generated)] = resources(template, "AWS::SecretsManager::Secret").items()
    assert secret_id in secret and generated["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    # The app reads the same secret from Secrets Manager, by its ARN (no secret in its environment).
    [handler] = [f for name, f in resources(template, "AWS::Serverless::Function").items() if name == "APIHandler"]
    variables = handler["Properties"]["Environment"]["Variables"]
    assert (
        variables["ORIGIN_VERIFY_SECRET_SECRET_ARN"] == {"Ref": secret_id} and "ORIGIN_VERIFY_SECRET" not in variables
    )
    reads = [
        s
        for p in resources(template, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in json.dumps(s["Action"])
    ]
    assert [s["Resource"] for s in reads] == [{"Ref": secret_id}]


def test_mail_identity_and_the_documents_address(template: Any) -> None:
    assert resources(template, "AWS::SES::EmailIdentity")
    [rule] = resources(template, "AWS::SES::ReceiptRule").values()
    props = rule["Properties"]["Rule"]
    # The general address, and its domain for each booking's own docs+<token>@ address.
    assert props["Recipients"] == ["telemed@telemed.example.org", "telemed.example.org"]
    assert props["ScanEnabled"] is True
    assert props["Actions"][0]["S3Action"]["ObjectKeyPrefix"] == "inbound/"


def test_every_queue_has_its_dead_letter_queue(template: Any) -> None:
    """The shared definitions (chalicelib/resources.py queues()): a poison message moves aside after 5 receipts."""
    queues = resources(template, "AWS::SQS::Queue")
    names = {key: str(q["Properties"]["QueueName"]) for key, q in queues.items()}
    redriven = {
        names[key]: q["Properties"]["RedrivePolicy"] for key, q in queues.items() if "RedrivePolicy" in q["Properties"]
    }
    assert sorted(name.rsplit("-", 2)[-2] + "-" + name.rsplit("-", 1)[-1] for name in redriven) == [
        "data-exports",
        "inbound-mail",
        "timer-events",
    ]
    for name, policy in redriven.items():
        assert policy["maxReceiveCount"] == 5
        dead = policy["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert names[dead] == name + "-dead"


def test_data_exports_are_built_within_their_queue_and_kept_a_day(template: Any) -> None:
    """«Мои данные»: the archive builder may run longer than the API (a long history's PDFs) but less than the
    queue hides its message, and the bucket deletes archives (every version) after a day."""
    from chalicelib import resources as shared

    function = resources(template, "AWS::Serverless::Function")["DataExports"]["Properties"]
    queues = {
        str(q["Properties"]["QueueName"]): q["Properties"] for q in resources(template, "AWS::SQS::Queue").values()
    }
    visibility = queues["telemed-prod-data-exports"]["VisibilityTimeout"]
    assert function["Timeout"] == shared.DATA_EXPORT_BUILD_S < visibility
    [bucket] = [
        b["Properties"]
        for b in resources(template, "AWS::S3::Bucket").values()
        if b["Properties"].get("BucketName") == "telemed-prod-documents"
    ]
    [rule] = [r for r in bucket["LifecycleConfiguration"]["Rules"] if r.get("Prefix") == "exports/"]
    assert rule["ExpirationInDays"] == rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1
    assert rule["Status"] == "Enabled"


def test_the_state_machine_is_the_shared_asl_with_its_own_role(template: Any) -> None:
    from chalicelib.resources import STATE_MACHINE_FILE

    [machine] = resources(template, "AWS::StepFunctions::StateMachine").values()
    props = machine["Properties"]
    assert json.loads(props["DefinitionString"]) == json.loads(STATE_MACHINE_FILE.read_text())
    assert set(props["DefinitionSubstitutions"]) == {"RoomsTable", "TimerQueueUrl"}
    assert "BookingTimerRole" in json.dumps(props["RoleArn"])
    assert props["DefinitionSubstitutions"]["RoomsTable"] == "telemed-prod-rooms"


def test_keys_rotate_and_iam_names_its_actions(template: Any) -> None:
    keys = resources(template, "AWS::KMS::Key")
    assert keys and all(key["Properties"]["EnableKeyRotation"] is True for key in keys.values()), keys
    for name, policy in resources(template, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not [a for a in actions if WILDCARD.match(a)], (name, actions)


def test_secrets_come_from_parameter_store(template: Any) -> None:
    functions = resources(template, "AWS::Serverless::Function")
    for name, function in functions.items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert "YOOKASSA_SECRET_KEY" not in variables and "TURN_SHARED_SECRET" not in variables, name
        assert variables.get("YOOKASSA_SECRET_KEY_PARAMETER", "").startswith("/telemed/prod/"), name


def test_unknown_routes_are_our_404(template: Any) -> None:
    [response] = resources(template, "AWS::ApiGateway::GatewayResponse").values()
    assert response["Properties"]["StatusCode"] == "404"
    assert "not_found" in response["Properties"]["ResponseTemplates"]["application/json"]


def test_cfn_lint_finds_no_errors(template: Any, tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template.to_json()))
    lint = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), str(path)], capture_output=True, text=True)
    assert lint.returncode & 2 == 0, lint.stdout  # 2 = errors; warnings (4) and notes (8) are read, not fatal
