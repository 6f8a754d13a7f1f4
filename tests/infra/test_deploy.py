"""Deployable as documented: the CDK environment and context, the stage's own domain, SES's S3 action."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DOMAIN = "telemed.clinic.ru"
CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/0e8f4a52-1d2c-4a8e-9c61-4b7a3f0d9e21"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The prod stage under its own domain, for another account, as `cdk deploy -c ...` would build it."""
    from aws_cdk.assertions import Template

    from infrastructure.synth import build

    _app, stack = build(
        outdir=str(tmp_path_factory.mktemp("cdk.out")),
        context={
            "stage": "prod",
            "account": "111122223333",
            "region": "eu-central-1",
            "domain_name": DOMAIN,
            "certificate_arn": CERTIFICATE,
        },
    )
    assert (stack.stack_name, stack.account, stack.region) == ("telemed-prod", "111122223333", "eu-central-1")
    yield Template.from_stack(stack)


def only(template: Any, kind: str) -> dict[str, Any]:
    [resource] = template.find_resources(kind).values()
    return resource["Properties"]


def test_the_target_comes_from_context_then_the_cdk_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import aws_cdk as cdk

    from infrastructure.synth import PLACEHOLDER_ACCOUNT, target

    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "444455556666")
    monkeypatch.setenv("CDK_DEFAULT_REGION", "eu-west-1")
    assert target(cdk.App()) == ("prod", "444455556666", "eu-west-1")
    assert target(cdk.App(context={"stage": "dev", "account": "777788889999", "region": "eu-north-1"})) == (
        "dev",
        "777788889999",
        "eu-north-1",
    )
    assert "placeholder" not in capsys.readouterr().err
    monkeypatch.delenv("CDK_DEFAULT_ACCOUNT")
    assert target(cdk.App())[1] == PLACEHOLDER_ACCOUNT
    assert f"placeholder {PLACEHOLDER_ACCOUNT}" in capsys.readouterr().err  # said, not silent


def test_cdk_json_runs_the_app_without_app_argument() -> None:
    config = json.loads((ROOT / "infrastructure" / "cdk.json").read_text())
    assert config["app"] == "../.venv/bin/python synth.py"
    lock = json.loads((ROOT / "infrastructure" / "package-lock.json").read_text())
    package = json.loads((ROOT / "infrastructure" / "package.json").read_text())
    pinned = package["devDependencies"]["aws-cdk"]
    assert pinned[0].isdigit() and lock["packages"]["node_modules/aws-cdk"]["version"] == pinned
    assert f"(`aws-cdk` {pinned})" in (ROOT / "README.md").read_text()  # the docs name the pinned CLI


def test_the_pinned_cdk_cli_synthesizes_from_infrastructure(tmp_path: Path) -> None:
    """`npx cdk synth` from infrastructure/, as README says: the app from cdk.json, stage from context."""
    assert (ROOT / "infrastructure" / "node_modules" / ".bin" / "cdk").exists(), (
        "the pinned CDK CLI is missing: `make deps` installs it (make test does too)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(AWS_EC2_METADATA_DISABLED="true", AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="")
    run = subprocess.run(
        [
            "npx",
            "--no-install",
            "cdk",
            "synth",
            "--quiet",
            "--no-notices",
            "-o",
            str(tmp_path),
            "-c",
            "stage=dev",
            "-c",
            "account=111122223333",
            "-c",
            "region=eu-central-1",
        ],
        cwd=ROOT / "infrastructure",
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads((tmp_path / "telemed-dev.template.json").read_text())["Resources"]
    assert "placeholder" not in run.stderr


def test_ses_writes_inbound_mail_unencrypted_by_ses_for_the_buckets_sse_kms(template: Any) -> None:
    """SES's own client-side encryption would leave ciphertext the app's get_object cannot parse."""
    [action] = only(template, "AWS::SES::ReceiptRule")["Rule"]["Actions"]
    assert action["S3Action"]["ObjectKeyPrefix"] == "inbound/" and "KmsKeyArn" not in action["S3Action"]
    documents = next(
        b["Properties"]
        for b in template.find_resources("AWS::S3::Bucket").values()
        if b["Properties"].get("BucketName") == "telemed-prod-documents"
    )
    assert (
        documents["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
            "SSEAlgorithm"
        ]
        == "aws:kms"
    )
    [key] = [
        k
        for k in template.find_resources("AWS::KMS::Key").values()
        if "Documents" in k["Properties"].get("Description", "")
    ]
    [ses] = [
        s for s in key["Properties"]["KeyPolicy"]["Statement"] if s.get("Principal") == {"Service": "ses.amazonaws.com"}
    ]
    assert ses["Condition"]["StringEquals"]["kms:ViaService"] == "s3.eu-central-1.amazonaws.com"
    assert "kms:EncryptionContext:aws:ses:message-id" not in json.dumps(key)


def test_cloudfront_serves_the_stages_domain_with_its_certificate(template: Any) -> None:
    config = only(template, "AWS::CloudFront::Distribution")["DistributionConfig"]
    assert config["Aliases"] == [DOMAIN]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": CERTIFICATE,
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    outputs = template.to_json()["Outputs"]
    assert outputs["SiteUrl"]["Value"] == f"https://{DOMAIN}"
    assert {"DistributionId", "DistributionDomain", "SiteBucket", "WebhookUrl"} <= set(outputs)


def test_the_apps_addresses_follow_the_domain(template: Any) -> None:
    for name, function in template.find_resources("AWS::Serverless::Function").items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["PUBLIC_BASE_URL"] == f"https://{DOMAIN}", name
        assert variables["MAIL_FROM"].endswith(f"<telemed@{DOMAIN}>"), name
        assert variables["DOCUMENTS_ADDRESS"] == f"telemed@{DOMAIN}", name
    documents = next(
        b["Properties"]
        for b in template.find_resources("AWS::S3::Bucket").values()
        if b["Properties"].get("BucketName") == "telemed-prod-documents"
    )
    [cors] = documents["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedOrigins"] == [f"https://{DOMAIN}"]
    assert only(template, "AWS::SES::EmailIdentity")["EmailIdentity"] == DOMAIN
    assert only(template, "AWS::SES::ReceiptRule")["Rule"]["Recipients"] == [f"telemed@{DOMAIN}", DOMAIN]


@pytest.mark.parametrize(
    "context, message",
    [
        ({"domain_name": DOMAIN}, "go together"),
        ({"certificate_arn": CERTIFICATE}, "go together"),
        ({"domain_name": DOMAIN, "certificate_arn": CERTIFICATE.replace("us-east-1", "eu-central-1")}, "us-east-1"),
        ({"domain_name": "https://telemed.clinic.ru", "certificate_arn": CERTIFICATE}, "host name"),
        ({"mail_domain": "mail.clinic.ru"}, "its own -c domain_name"),
    ],
)
def test_a_domain_needs_its_us_east_1_certificate(context: dict[str, str], message: str) -> None:
    import aws_cdk as cdk

    from infrastructure.domain import SiteDomain

    with pytest.raises(ValueError, match=message):
        SiteDomain.from_context(cdk.App(context=context).node)


def test_a_separate_mail_domain_and_no_domain_at_all() -> None:
    import aws_cdk as cdk

    from infrastructure.domain import SiteDomain
    from infrastructure.stack import stage_variables

    variables = stage_variables("prod")
    assert SiteDomain.from_context(cdk.App().node).apply(variables) == variables
    mail = SiteDomain.from_context(
        cdk.App(context={"domain_name": DOMAIN, "certificate_arn": CERTIFICATE, "mail_domain": "mail.clinic.ru"}).node
    ).apply(variables)
    assert mail["PUBLIC_BASE_URL"] == f"https://{DOMAIN}" and mail["DOCUMENTS_ADDRESS"] == "telemed@mail.clinic.ru"
    assert mail["MAIL_FROM"] == "Центр телемедицины <telemed@mail.clinic.ru>"


def test_the_booking_timer_logs_every_step_without_its_data(template: Any) -> None:
    machine = only(template, "AWS::StepFunctions::StateMachine")
    logging = machine["LoggingConfiguration"]
    assert logging["Level"] == "ALL" and logging["IncludeExecutionData"] is False
    [destination] = logging["Destinations"]
    group_id = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    group = template.find_resources("AWS::Logs::LogGroup")[group_id]["Properties"]
    assert group["LogGroupName"] == "/aws/vendedlogs/states/telemed-prod-booking-timer"
    assert group["RetentionInDays"] >= 365 and "KmsKeyId" in group


def test_the_site_bucket_keeps_versions_and_access_logs_and_queues_refuse_plain_http(template: Any) -> None:
    site = next(
        b["Properties"]
        for b in template.find_resources("AWS::S3::Bucket").values()
        if b["Properties"].get("LoggingConfiguration", {}).get("LogFilePrefix") == "site/"
    )
    assert site["VersioningConfiguration"] == {"Status": "Enabled"}
    policies = [p["Properties"] for p in template.find_resources("AWS::SQS::QueuePolicy").values()]
    queues = template.find_resources("AWS::SQS::Queue")
    denied = {
        ref["Ref"]
        for p in policies
        for s in p["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        for ref in p["Queues"]
    }
    assert denied == set(queues)
    [secret] = template.find_resources("AWS::SecretsManager::Secret").values()
    assert "KmsKeyId" in secret["Properties"]
