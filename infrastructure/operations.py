"""Operations: function logs, API stage logs and throttling, concurrency, failure queues, the app's log events
as metrics; then the alarms and the dashboard over them (alarms.py).

Called once from the stage (stack.py) after the Chalice app exists. Each alarm is described for the on-call
person in infrastructure/README.md ("Operations"); the names there and in alarms.py are the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice

from chalicelib.config import retention_schedule
from infrastructure.alarms import alarm_topic, alarms_and_dashboard

# Function logs and API access logs: one year. The app's lines carry no health data (chalicelib/logs.py) but
# do carry who signed in, from where, and which booking or room a request touched: the trail an incident
# review or a patient's complaint needs, months later. The audit of medical-data reads is a table of its
# own (audit), not these logs. A year is then deleted: it is personal data, kept no longer than needed.
# The retention schedule's application_logs (chalicelib/config.py) decides; CloudWatch keeps a group for one of
# its own numbers of days: the smallest of these that is not shorter than the term.
LOG_RETENTION = {
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def log_retention() -> logs.RetentionDays:
    """Every log group's retention, from the stage's retention schedule (read while its stack is built)."""
    term = retention_schedule().application_logs
    days = next((d for d in sorted(LOG_RETENTION) if d >= term.at_least_days), None)
    if days is None:
        raise ValueError(f"CloudWatch keeps logs at most 10 years (3653 days), not {term}")
    return LOG_RETENTION[days]


# Reserved concurrency: each function's ceiling, so that one path cannot eat the account's concurrency (a
# flood of sign-ins must not starve the timer that opens rooms) and so that runaway cost has a bound. The
# account must keep 100 unreserved on top of the sum (201): Lambda's concurrency quota must be ≥ 301 (new
# accounts can start at 10 — ask Service Quotas for more before the first deploy).
RESERVED_CONCURRENCY = {
    "APIHandler": 100,  # a request takes ~0.1 s: ~1,000 requests/s, ten times the stage's throttle below
    "WebsocketConnect": 20,  # one per participant joining a call
    "WebsocketMessage": 50,  # signaling frames: bursts of ICE candidates at a call's start
    "WebsocketDisconnect": 10,
    "TimerEvents": 10,  # reminders, openings, closings (refunds): a handful per consultation
    "DocumentsByEmail": 5,  # parsing mail is heavy and patient-paced: a flood waits in its queue
    "RollSchedules": 1,  # daily: never two runs at once
    "DeliverMail": 1,  # every minute, one run at a time (SES's sending rate is the real limit)
    "ApplyRetention": 1,  # nightly: never two runs at once
    "ReconcilePayments": 1,  # daily (and the admin's runs go through the API): one at a time
    "DataExports": 2,  # patients' archives: a few a day each, minutes apiece; a burst waits in its queue
}
# SQS-triggered functions: the event source's own ceiling, below the reserved concurrency, so Lambda's
# pollers never get throttled (a throttled batch counts as a receive and could push a good message into
# the dead-letter queue).
SQS_MAXIMUM_CONCURRENCY = {
    "DataExports": ("DataExportsSqsEventSource", 2),
    "TimerEvents": ("TimerEventsSqsEventSource", 5),
    "DocumentsByEmail": ("DocumentsByEmailSqsEventSource", 3),
}
# EventBridge-invoked (asynchronous) functions: retries, how long an event may wait, then the failure queue.
ASYNC_FUNCTIONS = {"RollSchedules": (2, 6 * 3600), "DeliverMail": (2, 300)}  # DeliverMail runs again in a minute
ASYNC_FUNCTIONS["ApplyRetention"] = (2, 6 * 3600)  # a retry finds what is still past its term: harmless
# Longer than the stage's 30 s: the retention schedule's nightly pass reads tables a page at a time. Stopped
# half-way it is safe (every delete conditional, a booking deleted after what hangs on it): the next night goes on.
TIMEOUTS_S = {"ApplyRetention": 900}
ASYNC_FUNCTIONS["ReconcilePayments"] = (2, 6 * 3600)  # a retry compares again and stores a second run: harmless

# Stage throttling (requests per second, steady and burst). The clinic's busiest minute is a few hundred
# people; these bound what one script can make the stage do (WAF's per-address limits sit in front).
REST_THROTTLE = (100, 200)
WEBSOCKET_THROTTLE = (100, 200)

# Access-log formats: the request id of API Gateway and of the Lambda invocation (the app logs the latter as
# request_id and answers it as X-Request-Id), so one request can be followed from edge to app. Never the
# path with its values or the query string ($context.path, $context.requestOverride...): the resource
# template ($context.resourcePath, e.g. /rooms/{room_id}) says what was asked without whom; the WebSocket
# connect request's query string (the signaling ticket) is not logged either.
REST_ACCESS_LOG = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "lambdaRequestId": "$context.integration.requestId",
    "time": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "method": "$context.httpMethod",
    "resource": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integration.latency",
    "integrationStatus": "$context.integration.status",
    "error": "$context.error.responseType",
}
WEBSOCKET_ACCESS_LOG = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "lambdaRequestId": "$context.integration.requestId",
    "time": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "eventType": "$context.eventType",
    "routeKey": "$context.routeKey",
    "connectionId": "$context.connectionId",
    "status": "$context.status",
    "integrationStatus": "$context.integration.status",
    "error": "$context.error.message",
    "integrationError": "$context.integrationErrorMessage",
}

# The app's JSON log events (chalicelib: log_event(...)) counted as metrics: (metric, filter pattern, functions).
EVENT_METRICS = {
    "Bookings": ('{ $.event = "slot_held" }', ("APIHandler",)),
    "PaymentsCreated": ('{ $.event = "payment_created" }', ("APIHandler",)),
    "BookingsPaid": ('{ $.event = "booking_paid" }', ("APIHandler",)),
    "BookingsRefunded": ('{ $.event = "booking_refunded" }', ("APIHandler", "TimerEvents")),
    "RoomsOpened": ('{ $.event = "room_opened" }', ("TimerEvents",)),
    "ConclusionsSigned": ('{ $.event = "conclusion_signed" }', ("APIHandler",)),
    "UnhandledErrors": ('{ $.event = "unhandled_error" }', ("APIHandler",)),
    # chalicelib/outbox.py: a message that can never be made, or whose last retry is spent. Any function
    # that sends mail (at once, in the change's request or event) or retries it may mark one failed.
    "OutboxFailed": (
        '{ ($.event = "mail_failed_permanently") || ($.event = "mail_deferred" && $.status = "failed") }',
        ("APIHandler", "TimerEvents", "DocumentsByEmail", "DeliverMail", "ReconcilePayments"),
    ),
}


def function_name(prefix: str, logical_id: str) -> str:
    """Each function's name, fixed so that its log group can exist before it and alarms can name it."""
    return f"{prefix}-{logical_id}"


@dataclass
class Operations:
    topic: sns.Topic
    key: kms.Key
    log_groups: dict[str, logs.LogGroup] = field(default_factory=dict)
    dead_letter_queues: list[sqs.IQueue] = field(default_factory=list)
    alarms: list[cloudwatch.Alarm] = field(default_factory=list)


def _operations_key(stage: cdk.Stack, prefix: str) -> kms.Key:
    """Log groups and the alarm topic, encrypted with a key that CloudWatch Logs and CloudWatch may use."""
    key = kms.Key(
        stage,
        "OperationsKey",
        alias=f"alias/{prefix}-operations",
        enable_key_rotation=True,
        description="CloudWatch Logs groups and the alarm topic",
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{stage.region}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": cdk.Arn.format(
                        cdk.ArnComponents(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                        ),
                        stage,
                    )
                }
            },
        )
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(  # alarms publishing to the encrypted topic
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": stage.account}},
        )
    )
    return key


def _log_group(stage: cdk.Stack, construct_id: str, name: str, key: kms.IKey) -> logs.LogGroup:
    return logs.LogGroup(
        stage,
        construct_id,
        log_group_name=name,
        retention=log_retention(),
        encryption_key=key,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )


def _api_gateway_logging_role(stage: cdk.Stack) -> cdk.CfnResource:
    """API Gateway writes stage access logs with the region's account-wide role (one per account and region).

    This sets it for the account; deleting the stack leaves the setting (and the role, retained) in place.
    """
    role = iam.Role(
        stage,
        "ApiGatewayLogging",
        assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
        managed_policies=[
            iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonAPIGatewayPushToCloudWatchLogs")
        ],
    )
    role.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    return cdk.CfnResource(
        stage, "ApiGatewayAccount", type="AWS::ApiGateway::Account", properties={"CloudWatchRoleArn": role.role_arn}
    )


def _functions(chalice: Chalice, names: Iterable[str]) -> dict[str, cdk.CfnResource]:
    """Every Lambda function of app.py (stack.py FUNCTIONS) by its logical id in Chalice's template."""
    logical_ids = ["APIHandler" if f == "ApiHandler" else f for f in names]
    return {logical_id: chalice.get_resource(logical_id) for logical_id in logical_ids}


def instrument(
    stage: cdk.Stack,
    chalice: Chalice,
    *,
    prefix: str,
    function_names: Iterable[str],
    queues: Iterable[sqs.Queue],
    timer: Any,
) -> Operations:
    """Everything operations needs around the Chalice app (`function_names`: stack.py FUNCTIONS); returns what
    tests and other parts may use."""
    key = _operations_key(stage, prefix)
    topic = alarm_topic(stage, prefix, key)
    ops = Operations(topic=topic, key=key)
    functions = _functions(chalice, function_names)

    # Function logs: the group exists (with its retention) before the function can write to it.
    for logical_id, function in functions.items():
        name = function_name(prefix, logical_id)
        function.add_property_override("FunctionName", name)
        group = _log_group(stage, f"{logical_id}Logs", f"/aws/lambda/{name}", key)
        function.add_resource_dependency(group.node.default_child)  # type: ignore[arg-type]
        ops.log_groups[logical_id] = group
        if logical_id in RESERVED_CONCURRENCY:
            function.add_property_override("ReservedConcurrentExecutions", RESERVED_CONCURRENCY[logical_id])
        if logical_id in TIMEOUTS_S:
            function.add_property_override("Timeout", TIMEOUTS_S[logical_id])
        if logical_id in SQS_MAXIMUM_CONCURRENCY:
            source, maximum = SQS_MAXIMUM_CONCURRENCY[logical_id]
            function.add_property_override(f"Events.{source}.Properties.ScalingConfig", {"MaximumConcurrency": maximum})

    # The queues' own dead-letter queues (chalicelib/resources.py), and one for the scheduled functions.
    for queue in queues:
        if queue.dead_letter_queue is not None:
            ops.dead_letter_queues.append(queue.dead_letter_queue.queue)
    scheduled_failures = sqs.Queue(
        stage,
        "ScheduledFailures",
        queue_name=f"{prefix}-scheduled-failures",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=cdk.Duration.days(14),
    )
    ops.dead_letter_queues.append(scheduled_failures)
    for logical_id, (retries, max_age_s) in ASYNC_FUNCTIONS.items():
        cdk.CfnResource(
            stage,
            f"{logical_id}OnFailure",
            type="AWS::Lambda::EventInvokeConfig",
            properties={
                "FunctionName": functions[logical_id].ref,
                "Qualifier": "$LATEST",
                "MaximumRetryAttempts": retries,
                "MaximumEventAgeInSeconds": max_age_s,
                "DestinationConfig": {"OnFailure": {"Destination": scheduled_failures.queue_arn}},
            },
        )
        # Lambda sends the failed event with the function's own role.
        scheduled_failures.grant_send_messages(chalice.get_role(f"{logical_id}Role"))

    # The booking timer: a failed or timed-out execution is kept in a queue (with its input: which booking)
    # and alarms. ABORTED is not a failure: the app stops a booking's timer when it is cancelled
    # (chalicelib/timer.py, StopExecution).
    timer_failures = sqs.Queue(
        stage,
        "BookingTimerFailures",
        queue_name=f"{prefix}-booking-timer-failures",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=cdk.Duration.days(14),
    )
    ops.dead_letter_queues.append(timer_failures)
    events.Rule(
        stage,
        "BookingTimerFailed",
        description="Booking timer executions that failed or timed out",
        event_pattern=events.EventPattern(
            source=["aws.states"],
            detail_type=["Step Functions Execution Status Change"],
            detail={"status": ["FAILED", "TIMED_OUT"], "stateMachineArn": [timer.attr_arn]},
        ),
        targets=[targets.SqsQueue(timer_failures)],
    )

    # Stages: access logs (JSON, a year) and throttling.
    account = _api_gateway_logging_role(stage)
    rest_logs = _log_group(stage, "RestApiAccessLogs", f"/aws/apigateway/{prefix}-rest-access", key)
    websocket_logs = _log_group(stage, "WebsocketApiAccessLogs", f"/aws/apigateway/{prefix}-websocket-access", key)
    rest = chalice.get_resource("RestAPI")
    rest_name = f"{prefix}-api"
    rest.add_property_override("Name", rest_name)
    rest.add_property_override("DefinitionBody.info.title", rest_name)
    rest.add_property_override(
        "MethodSettings",
        [
            {
                "ResourcePath": "/*",
                "HttpMethod": "*",
                "ThrottlingRateLimit": REST_THROTTLE[0],
                "ThrottlingBurstLimit": REST_THROTTLE[1],
                "LoggingLevel": "OFF",
                "DataTraceEnabled": False,
            }
        ],
    )
    rest.add_property_override(
        "AccessLogSetting", {"DestinationArn": rest_logs.log_group_arn, "Format": json.dumps(REST_ACCESS_LOG)}
    )
    rest.add_resource_dependency(account)
    websocket_stage = chalice.get_resource("WebsocketAPIStage")
    websocket_stage.add_property_override(
        "DefaultRouteSettings",
        {
            "ThrottlingRateLimit": WEBSOCKET_THROTTLE[0],
            "ThrottlingBurstLimit": WEBSOCKET_THROTTLE[1],
            "DataTraceEnabled": False,
            "LoggingLevel": "OFF",
        },
    )
    websocket_stage.add_property_override(
        "AccessLogSettings",
        {"DestinationArn": websocket_logs.log_group_arn, "Format": json.dumps(WEBSOCKET_ACCESS_LOG)},
    )
    websocket_stage.add_resource_dependency(account)

    # The app's log events as metrics.
    namespace = f"Telemed/{prefix}"
    for metric_name, (pattern, where) in EVENT_METRICS.items():
        for logical_id in where:
            logs.MetricFilter(
                stage,
                f"{metric_name}From{logical_id}",
                log_group=ops.log_groups[logical_id],
                filter_pattern=logs.FilterPattern.literal(pattern),
                metric_namespace=namespace,
                metric_name=metric_name,
                metric_value="1",
            )

    # Alarms on all of the above, to the topic, and the clinic's dashboard (alarms.py).
    ops.alarms = alarms_and_dashboard(
        stage,
        topic,
        prefix=prefix,
        namespace=namespace,
        functions={logical_id: function_name(prefix, logical_id) for logical_id in functions},
        rest_api_name=rest_name,
        websocket_api_id=chalice.get_resource("WebsocketAPI").ref,
        dead_letter_queues=ops.dead_letter_queues,
        timer_arn=timer.attr_arn,
    )
    return ops
