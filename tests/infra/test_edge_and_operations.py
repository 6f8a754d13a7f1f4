"""Edge and operations on the synthesized stage (issue 15): WAF, throttling, concurrency, logs, failure queues,
alarms and the clinic's dashboard."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
RATE_LIMITED_PATHS = {
    "/api/auth/login",
    "/api/auth/password-reset",
    "/api/registration-requests",
    "/api/network-check",
    "/api/conclusions/verify",
}
MANAGED_GROUPS = {
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
}


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The stage's template and, when there is one, its us-east-1 companion's (the web ACL)."""
    from aws_cdk.assertions import Template

    from infrastructure.synth import build

    app, stack = build("prod", outdir=str(tmp_path_factory.mktemp("cdk.out")))
    edge = app.node.try_find_child(f"{stack.node.id}-edge")
    yield {
        "main": Template.from_stack(stack).to_json(),
        "edge": Template.from_stack(edge).to_json() if edge is not None else {"Resources": {}},
        "edge_region": getattr(edge, "region", None),
    }


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def functions(stage: dict[str, Any]) -> dict[str, Any]:
    found = of_type(stage["main"], "AWS::Serverless::Function")
    from infrastructure.stack import FUNCTIONS

    assert len(found) == len(FUNCTIONS)  # every function of app.py, and no other
    return found


def log_group_arn_id(value: Any) -> str:
    """The logical id of the log group a `DestinationArn` points at."""
    assert isinstance(value, dict) and "Fn::GetAtt" in value, value
    return value["Fn::GetAtt"][0]


# --- the edge -------------------------------------------------------------------------------------------------


def test_a_cloudfront_web_acl_in_us_east_1_with_managed_groups_and_rate_rules(stage: dict[str, Any]) -> None:
    acls = of_type(stage["edge"], "AWS::WAFv2::WebACL")
    assert len(acls) == 1, "no CLOUDFRONT web ACL"
    assert stage["edge_region"] == "us-east-1"
    [acl] = acls.values()
    props = acl["Properties"]
    assert props["Scope"] == "CLOUDFRONT" and props["DefaultAction"] == {"Allow": {}}
    rules = props["Rules"]
    assert len({r["Priority"] for r in rules}) == len(rules)
    groups = {
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]: r
        for r in rules
        if "ManagedRuleGroupStatement" in r["Statement"]
    }
    assert set(groups) == MANAGED_GROUPS
    # SizeRestrictions_BODY only counted in the group, then blocked by a rule of ours outside the two large-body routes.
    common = groups["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    assert common["RuleActionOverrides"] == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
    [size] = [
        r
        for r in rules
        if "SizeRestrictions_Body" in json.dumps(r.get("Statement", {}))
        and "ManagedRuleGroupStatement" not in r["Statement"]
    ]
    assert size["Action"] == {"Block": {}} and size["Priority"] > groups["AWSManagedRulesCommonRuleSet"]["Priority"]
    excepted = json.dumps(size["Statement"]["AndStatement"]["Statements"][1]["NotStatement"])
    assert "/api/network-check" in excepted and "/api/conclusions/verify" in excepted
    # One per-address rate rule (5-minute window) for each abused path.
    limited = {}
    for rule in rules:
        rate = rule["Statement"].get("RateBasedStatement")
        if rate:
            assert rule["Action"] == {"Block": {}} and rate["AggregateKeyType"] == "IP"
            assert rate["EvaluationWindowSec"] == 300 and 10 <= rate["Limit"] <= 1000
            paths = re.findall(r'"SearchString": "(/[^"]*)"', json.dumps(rate["ScopeDownStatement"]))
            limited.update({p: rate["Limit"] for p in paths})
    assert set(limited) == RATE_LIMITED_PATHS


def test_the_distribution_uses_the_web_acl_and_logs_to_a_bucket_that_forgets(stage: dict[str, Any]) -> None:
    [distribution] = of_type(stage["main"], "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert "WebACLId" in config, "the distribution has no web ACL"
    assert "WebAcl" in json.dumps(config["WebACLId"])  # the edge stack's ACL, read across regions
    logging = config.get("Logging")
    assert logging and logging["IncludeCookies"] is False
    bucket_id = logging["Bucket"]["Fn::GetAtt"][0]
    bucket = stage["main"]["Resources"][bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    assert [r["ExpirationInDays"] for r in bucket["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in r]


def test_the_site_is_served_compressed(stage: dict[str, Any]) -> None:
    [distribution] = of_type(stage["main"], "AWS::CloudFront::Distribution").values()
    site = distribution["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert site["Compress"] is True
    # CloudFront compresses only under a cache policy that keys on Accept-Encoding: the managed CachingOptimized.
    assert site["CachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"


def test_the_documents_bucket_has_server_access_logs(stage: dict[str, Any]) -> None:
    buckets = of_type(stage["main"], "AWS::S3::Bucket")
    [documents] = [
        b["Properties"] for b in buckets.values() if b["Properties"].get("BucketName") == "telemed-prod-documents"
    ]
    logging = documents.get("LoggingConfiguration")
    assert logging, "no server access logs for the documents bucket"
    target = logging["DestinationBucketName"]["Ref"]
    assert target in buckets and target != "Documents7E5B2978"
    policies = [
        p["Properties"]
        for p in of_type(stage["main"], "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": target}
    ]
    assert "logging.s3.amazonaws.com" in json.dumps(policies)


# --- stages and functions -------------------------------------------------------------------------------------


def test_rest_and_websocket_stages_are_throttled(stage: dict[str, Any]) -> None:
    rest = stage["main"]["Resources"]["RestAPI"]["Properties"]
    [settings] = rest.get("MethodSettings", [{}])
    assert settings.get("ResourcePath") == "/*" and settings.get("HttpMethod") == "*"
    assert 0 < settings["ThrottlingRateLimit"] <= settings["ThrottlingBurstLimit"]
    assert settings.get("DataTraceEnabled") is False  # bodies never reach execution logs
    websocket = stage["main"]["Resources"]["WebsocketAPIStage"]["Properties"]
    route = websocket.get("DefaultRouteSettings", {})
    assert 0 < route["ThrottlingRateLimit"] <= route["ThrottlingBurstLimit"]


def test_every_function_has_reserved_concurrency(stage: dict[str, Any]) -> None:
    for name, function in functions(stage).items():
        reserved = function["Properties"].get("ReservedConcurrentExecutions")
        assert isinstance(reserved, int) and 1 <= reserved <= 100, name
    total = sum(f["Properties"]["ReservedConcurrentExecutions"] for f in functions(stage).values())
    assert total <= 300  # the account keeps 100 unreserved: documented quota in infrastructure/README.md
    # SQS pollers stay below the reserve, so a message is never throttled into its dead-letter queue.
    for name, function in functions(stage).items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                maximum = event["Properties"]["ScalingConfig"]["MaximumConcurrency"]
                assert 2 <= maximum <= function["Properties"]["ReservedConcurrentExecutions"], name


def test_the_retention_schedule_runs_nightly_with_time_for_its_pass(stage: dict[str, Any]) -> None:
    function = functions(stage)["ApplyRetention"]["Properties"]
    assert [e["Properties"]["Schedule"] for e in function["Events"].values()] == ["cron(30 1 * * ? *)"]
    assert function["Timeout"] == 900 and function["ReservedConcurrentExecutions"] == 1


def test_every_function_has_its_log_group_with_retention(stage: dict[str, Any]) -> None:
    groups = of_type(stage["main"], "AWS::Logs::LogGroup")
    by_name = {g["Properties"].get("LogGroupName"): key for key, g in groups.items()}
    for name, function in functions(stage).items():
        function_name = function["Properties"].get("FunctionName")
        assert function_name == f"telemed-prod-{name}", name
        key = by_name.get(f"/aws/lambda/{function_name}")
        assert key, f"no log group for {name}"
        assert groups[key]["Properties"]["RetentionInDays"] == 365
        assert key in function.get("DependsOn", []), f"{name} could write (and create its group) first"
    for key, group in groups.items():  # none never expires
        assert group["Properties"].get("RetentionInDays"), key


def test_stage_access_logs_are_json_with_request_ids_and_no_query_string(stage: dict[str, Any]) -> None:
    main = stage["main"]
    rest = main["Resources"]["RestAPI"]["Properties"].get("AccessLogSetting")
    websocket = main["Resources"]["WebsocketAPIStage"]["Properties"].get("AccessLogSettings")
    assert rest and websocket, "no access logs on the stages"
    for setting in (rest, websocket):
        group = main["Resources"][log_group_arn_id(setting["DestinationArn"])]
        assert group["Type"] == "AWS::Logs::LogGroup" and group["Properties"]["RetentionInDays"] == 365
        fields = json.loads(setting["Format"])
        assert fields["requestId"] == "$context.requestId"
        assert fields["lambdaRequestId"] == "$context.integration.requestId"  # the app's request_id
        assert not re.search(r"\$context\.(path|requestOverride|querystring)|querystring", setting["Format"], re.I)
    # API Gateway writes with the account's CloudWatch role, set before the stages.
    [account] = of_type(main, "AWS::ApiGateway::Account")
    assert "ApiGatewayAccount" in main["Resources"]["WebsocketAPIStage"].get("DependsOn", [])
    assert account


# --- failures land somewhere ----------------------------------------------------------------------------------


def dead_letter_queue_ids(main: dict[str, Any]) -> set[str]:
    queues = of_type(main, "AWS::SQS::Queue")
    redrive = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }
    destinations = {
        c["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
        for c in of_type(main, "AWS::Lambda::EventInvokeConfig").values()
    }
    rule_targets = {
        t["Arn"]["Fn::GetAtt"][0]
        for r in of_type(main, "AWS::Events::Rule").values()
        for t in r["Properties"].get("Targets", [])
        if "Fn::GetAtt" in t["Arn"]
    }
    return (redrive | destinations | rule_targets) & set(queues)


def test_every_asynchronous_path_ends_in_a_dead_letter_queue(stage: dict[str, Any]) -> None:
    """Queue-fed functions (timer events, mail intake): their queues redrive; EventBridge-invoked ones (the
    scheduled functions): an on-failure destination. WebSocket and REST handlers are synchronous."""
    main = stage["main"]
    dead = dead_letter_queue_ids(main)
    for key, queue in of_type(main, "AWS::SQS::Queue").items():
        assert "RedrivePolicy" in queue["Properties"] or key in dead, key
    configs = {
        c["Properties"]["FunctionName"]["Ref"]: c["Properties"]
        for c in of_type(main, "AWS::Lambda::EventInvokeConfig").values()
    }
    scheduled = {
        name
        for name, f in functions(stage).items()
        if any(e["Type"] == "Schedule" for e in f["Properties"].get("Events", {}).values())
    }
    assert scheduled == {"RollSchedules", "DeliverMail", "ApplyRetention", "ReconcilePayments"}
    for name in scheduled:
        config = configs.get(name)
        assert config, f"{name}: no on-failure destination"
        assert config["Qualifier"] == "$LATEST" and 0 <= config["MaximumRetryAttempts"] <= 2
        queue_id = config["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
        assert main["Resources"][queue_id]["Type"] == "AWS::SQS::Queue"
        # Lambda sends the failed event with the function's own role.
        sends = [
            s
            for p in of_type(main, "AWS::IAM::Policy").values()
            if f'"{name}Role"' in json.dumps(p["Properties"].get("Roles", []))
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            if "sqs:SendMessage" in json.dumps(s["Action"]) and queue_id in json.dumps(s["Resource"])
        ]
        assert sends, f"{name}'s role may not send to its failure queue"


def test_booking_timer_failures_land_in_a_queue(stage: dict[str, Any]) -> None:
    main = stage["main"]
    rules = [
        r["Properties"]
        for r in of_type(main, "AWS::Events::Rule").values()
        if r["Properties"].get("EventPattern", {}).get("source") == ["aws.states"]
    ]
    assert len(rules) == 1, "no rule for the timer's failed executions"
    [rule] = rules
    pattern = rule["EventPattern"]
    assert pattern["detail-type"] == ["Step Functions Execution Status Change"]
    assert set(pattern["detail"]["status"]) == {"FAILED", "TIMED_OUT"}  # ABORTED: the app's own cancellation
    assert pattern["detail"]["stateMachineArn"] == [{"Fn::GetAtt": ["BookingTimer", "Arn"]}]
    [target] = rule["Targets"]
    assert main["Resources"][target["Arn"]["Fn::GetAtt"][0]]["Type"] == "AWS::SQS::Queue"


# --- alarms and the dashboard ---------------------------------------------------------------------------------


def alarms(main: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["Properties"] for a in of_type(main, "AWS::CloudWatch::Alarm").values()]


def metric_names(alarm: dict[str, Any]) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {m["MetricStat"]["Metric"]["MetricName"] for m in alarm.get("Metrics", []) if "MetricStat" in m}


def test_alarms_point_at_the_on_call_topic(stage: dict[str, Any]) -> None:
    main = stage["main"]
    [topic_id] = of_type(main, "AWS::SNS::Topic")
    found = alarms(main)
    assert found, "no alarms"
    for alarm in found:
        assert alarm["AlarmActions"] == [{"Ref": topic_id}], alarm["AlarmName"]
    # No oncall_email in this build's context: no subscription (and a warning at synth).
    assert not of_type(main, "AWS::SNS::Subscription")


def test_the_alarms_the_clinic_needs(stage: dict[str, Any]) -> None:
    main = stage["main"]
    found = alarms(main)
    names = [metric_names(a) for a in found]
    assert {"5XXError", "Count"} in names  # the REST API's 5xx rate
    assert {"ExecutionError", "IntegrationError"} in names  # the WebSocket API's errors
    assert {"ExecutionsFailed", "ExecutionsTimedOut"} in names
    assert {"Reputation.BounceRate"} in names and {"Reputation.ComplaintRate"} in names
    # Every dead-letter / failure queue: one message visible is enough.
    watched = {
        json.dumps(a["Dimensions"]) for a in found if a.get("MetricName") == "ApproximateNumberOfMessagesVisible"
    }
    for queue_id in dead_letter_queue_ids(main):
        assert any(queue_id in w for w in watched), f"no alarm on {queue_id}"
    # Errors and throttles of every function, by its name.
    for metric in ("Errors", "Throttles"):
        named = {
            a["Dimensions"][0]["Value"]
            for a in found
            if a.get("MetricName") == metric and a.get("Namespace") == "AWS/Lambda"
        }
        assert named == {f["Properties"]["FunctionName"] for f in functions(stage).values()}, metric
    # An outbox message failed for good: the app's own log event, counted by a metric filter.
    [outbox] = [a for a in found if a.get("MetricName") == "OutboxFailed"]
    filters = [
        f["Properties"]
        for f in of_type(main, "AWS::Logs::MetricFilter").values()
        if f["Properties"]["MetricTransformations"][0]["MetricName"] == "OutboxFailed"
    ]
    assert filters and all('$.event = "mail_failed_permanently"' in f["FilterPattern"] for f in filters)
    assert all(f["MetricTransformations"][0]["MetricNamespace"] == outbox["Namespace"] for f in filters)


def test_metric_filters_count_events_the_app_logs(stage: dict[str, Any]) -> None:
    """A renamed log_event(...) would leave a metric at zero forever: every counted event is logged somewhere."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "chalicelib").rglob("*.py"))
    filters = of_type(stage["main"], "AWS::Logs::MetricFilter")
    assert filters, "no metric filters"
    for metric_filter in filters.values():
        for event in re.findall(r'\$\.event = "([a-z_]+)"', metric_filter["Properties"]["FilterPattern"]):
            assert re.search(rf'log_event\(\s*"{event}"', source), event


def test_one_dashboard_for_the_clinics_day(stage: dict[str, Any]) -> None:
    main = stage["main"]
    [dashboard] = of_type(main, "AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("Bookings", "BookingsPaid", "RoomsOpened", "ConclusionsSigned", "UnhandledErrors"):
        assert f'\\"{metric}\\"' in body, metric
    counted = {
        f["Properties"]["MetricTransformations"][0]["MetricName"]
        for f in of_type(main, "AWS::Logs::MetricFilter").values()
    }
    assert {"Bookings", "BookingsPaid", "RoomsOpened", "ConclusionsSigned", "UnhandledErrors"} <= counted


def test_the_on_call_address_comes_from_context() -> None:
    import aws_cdk as cdk
    from aws_cdk.assertions import Annotations, Match, Template

    from infrastructure.alarms import alarm_topic

    def topic(context: dict[str, str]) -> cdk.Stack:
        stack = cdk.Stack(cdk.App(context=context), "Ops")
        alarm_topic(stack, "telemed-test", cdk.aws_kms.Key(stack, "Key"))
        return stack

    with_address = Template.from_stack(topic({"oncall_email": "oncall@clinic.example"}))
    with_address.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@clinic.example"}
    )
    without = topic({})
    Template.from_stack(without).resource_count_is("AWS::SNS::Subscription", 0)
    Annotations.from_stack(without).has_warning("*", Match.string_like_regexp("oncall_email"))
