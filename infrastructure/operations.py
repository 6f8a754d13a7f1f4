"""Operations: function logs, API stage logs and throttling, concurrency, failure queues, alarms, a dashboard.

Called once from the stage (stack.py) after the Chalice app exists. Each alarm is described for the on-call
person in infrastructure/README.md ("Operations"); the names here and there are the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice

# Function logs and API access logs: one year. The app's lines carry no health data (chalicelib/logs.py) but
# do carry who signed in, from where, and which booking or room a request touched: the trail an incident
# review or a patient's complaint needs, months later. The audit of medical-data reads is a table of its
# own (audit), not these logs. A year is then deleted: it is personal data, kept no longer than needed.
RETENTION = logs.RetentionDays.ONE_YEAR

# Reserved concurrency: each function's ceiling, so that one path cannot eat the account's concurrency (a
# flood of sign-ins must not starve the timer that opens rooms) and so that runaway cost has a bound. The
# account must keep 100 unreserved on top of the sum (197): Lambda's concurrency quota must be ≥ 300 (new
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
}
# SQS-triggered functions: the event source's own ceiling, below the reserved concurrency, so Lambda's
# pollers never get throttled (a throttled batch counts as a receive and could push a good message into
# the dead-letter queue).
SQS_MAXIMUM_CONCURRENCY = {
    "TimerEvents": ("TimerEventsSqsEventSource", 5),
    "DocumentsByEmail": ("DocumentsByEmailSqsEventSource", 3),
}
# EventBridge-invoked (asynchronous) functions: retries, how long an event may wait, then the failure queue.
ASYNC_FUNCTIONS = {"RollSchedules": (2, 6 * 3600), "DeliverMail": (2, 300)}  # DeliverMail runs again in a minute

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
        ("APIHandler", "TimerEvents", "DocumentsByEmail", "DeliverMail"),
    ),
}
# Lambda Errors per function over 5 minutes that page: the API answers its own errors as 500s (the 5xx alarm
# sees those); an Errors count here is a crash or a timeout.
ERROR_THRESHOLDS = {"APIHandler": 3, "WebsocketMessage": 5}  # others: 1
FIVE_MINUTES = cdk.Duration.minutes(5)


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


def alarm_topic(stage: cdk.Stack, prefix: str, key: kms.IKey) -> sns.Topic:
    """Alarms go to one SNS topic; the on-call address from CDK context (`-c oncall_email=...`) is subscribed.

    Without `oncall_email` the topic has no subscription: alarms still show in the console and on the
    dashboard, but nobody is told — synth says so as a warning.
    """
    topic = sns.Topic(
        stage,
        "Alarms",
        topic_name=f"{prefix}-alarms",
        display_name=f"{prefix} alarms",
        master_key=key,
        enforce_ssl=True,
    )
    email = stage.node.try_get_context("oncall_email")
    if email:
        topic.add_subscription(subscriptions.EmailSubscription(str(email)))
    else:
        cdk.Annotations.of(topic).add_warning_v2(
            "telemed:no-oncall-email",
            "No oncall_email in CDK context: alarms reach no one (deploy with -c oncall_email=...)",
        )
    return topic


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
        retention=RETENTION,
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


def _functions(chalice: Chalice) -> dict[str, cdk.CfnResource]:
    """Every Lambda function of app.py by its logical id in Chalice's template."""
    from infrastructure.stack import FUNCTIONS

    logical_ids = ["APIHandler" if f == "ApiHandler" else f for f in FUNCTIONS]
    return {logical_id: chalice.get_resource(logical_id) for logical_id in logical_ids}


def _metric(
    namespace: str,
    name: str,
    dimensions: dict[str, str] | None = None,
    statistic: str = "Sum",
    period: cdk.Duration = FIVE_MINUTES,
    label: str | None = None,
) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=namespace,
        metric_name=name,
        dimensions_map=dimensions or {},
        statistic=statistic,
        period=period,
        label=label,
    )


class _Alarms:
    def __init__(self, stage: cdk.Stack, topic: sns.Topic, prefix: str) -> None:
        self.stage, self.prefix, self.made = stage, prefix, []  # type: ignore[var-annotated]
        self.action = cloudwatch_actions.SnsAction(topic)

    def add(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        evaluation_periods: int = 1,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self.stage,
            construct_id,
            alarm_name=f"{self.prefix}-{construct_id}",
            metric=metric,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            alarm_description=description,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self.action)
        alarm.add_ok_action(self.action)
        self.made.append(alarm)
        return alarm


def instrument(
    stage: cdk.Stack, chalice: Chalice, *, prefix: str, queues: Iterable[sqs.Queue], timer: Any
) -> Operations:
    """Everything operations needs around the Chalice app; returns what tests and other parts may use."""
    key = _operations_key(stage, prefix)
    topic = alarm_topic(stage, prefix, key)
    ops = Operations(topic=topic, key=key)
    functions = _functions(chalice)

    # Function logs: the group exists (with its retention) before the function can write to it.
    for logical_id, function in functions.items():
        name = function_name(prefix, logical_id)
        function.add_property_override("FunctionName", name)
        group = _log_group(stage, f"{logical_id}Logs", f"/aws/lambda/{name}", key)
        function.add_resource_dependency(group.node.default_child)  # type: ignore[arg-type]
        ops.log_groups[logical_id] = group
        if logical_id in RESERVED_CONCURRENCY:
            function.add_property_override("ReservedConcurrentExecutions", RESERVED_CONCURRENCY[logical_id])
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

    alarms = _Alarms(stage, topic, prefix)
    websocket_id = chalice.get_resource("WebsocketAPI").ref
    rest_errors = _metric("AWS/ApiGateway", "5XXError", {"ApiName": rest_name, "Stage": "api"})
    rest_count = _metric("AWS/ApiGateway", "Count", {"ApiName": rest_name, "Stage": "api"})
    alarms.add(
        "RestApi5xxRate",
        cloudwatch.MathExpression(
            expression="IF(errors >= 3, 100 * errors / MAX([errors, requests]), 0)",
            using_metrics={"errors": rest_errors, "requests": rest_count},
            period=FIVE_MINUTES,
            label="REST API 5xx, % of requests",
        ),
        5,
        "REST API: ≥ 5% of requests answered 5xx in 5 minutes (and at least 3 of them)",
    )
    websocket_errors = cloudwatch.MathExpression(
        expression="execution + integration",
        period=FIVE_MINUTES,
        label="WebSocket API errors",
        using_metrics={
            "execution": _metric("AWS/ApiGateway", "ExecutionError", {"ApiId": websocket_id, "Stage": "api"}),
            "integration": _metric("AWS/ApiGateway", "IntegrationError", {"ApiId": websocket_id, "Stage": "api"}),
        },
    )
    alarms.add(
        "WebsocketApiErrors",
        websocket_errors,
        5,
        "WebSocket API (signaling): ≥ 5 execution or integration errors in 5 minutes",
    )
    for queue in ops.dead_letter_queues:
        construct_id = f"{queue.node.id}Visible"
        alarms.add(
            construct_id,
            queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
            1,
            "A message waits in a dead-letter / failure queue",
        )
    for logical_id in functions:
        dims = {"FunctionName": function_name(prefix, logical_id)}
        alarms.add(
            f"{logical_id}Errors",
            _metric("AWS/Lambda", "Errors", dims),
            ERROR_THRESHOLDS.get(logical_id, 1),
            f"{logical_id}: invocations that crashed or timed out",
        )
        alarms.add(
            f"{logical_id}Throttles",
            _metric("AWS/Lambda", "Throttles", dims),
            1,
            f"{logical_id}: invocations refused at its reserved concurrency",
        )
    timer_dims = {"StateMachineArn": timer.attr_arn}
    alarms.add(
        "BookingTimerFailedExecutions",
        cloudwatch.MathExpression(
            expression="failed + timedout",
            period=FIVE_MINUTES,
            label="Booking timer failed or timed out",
            using_metrics={
                "failed": _metric("AWS/States", "ExecutionsFailed", timer_dims),
                "timedout": _metric("AWS/States", "ExecutionsTimedOut", timer_dims),
            },
        ),
        1,
        "Booking timer: an execution failed or timed out (reminder, lobby, opening or closing missed)",
    )
    # SES reviews an account at a 5% bounce or 0.1% complaint rate and may pause sending at 10% / 0.5%.
    alarms.add(
        "SesBounceRate",
        _metric("AWS/SES", "Reputation.BounceRate", statistic="Maximum", period=cdk.Duration.minutes(15)),
        0.04,
        "SES: bounce rate ≥ 4% (review at 5%)",
    )
    alarms.add(
        "SesComplaintRate",
        _metric("AWS/SES", "Reputation.ComplaintRate", statistic="Maximum", period=cdk.Duration.minutes(15)),
        0.0008,
        "SES: complaint rate ≥ 0.08% (review at 0.1%)",
    )
    alarms.add(
        "OutboxFailed",
        _metric(namespace, "OutboxFailed"),
        1,
        "An email was marked failed for good (the admin's «Почта» lists it with its reason)",
    )
    ops.alarms = alarms.made

    _dashboard(stage, prefix, namespace, functions, rest_errors, websocket_errors)
    return ops


def _dashboard(
    stage: cdk.Stack,
    prefix: str,
    namespace: str,
    functions: dict[str, Any],
    rest_errors: cloudwatch.IMetric,
    websocket_errors: cloudwatch.IMetric,
) -> None:
    hour = cdk.Duration.hours(1)

    def events_metric(name: str, label: str) -> cloudwatch.Metric:
        return _metric(namespace, name, period=hour, label=label)

    def graph(title: str, metrics: list[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(title=title, left=metrics, width=8, height=6, view=cloudwatch.GraphWidgetView.BAR)

    errors = [
        events_metric("UnhandledErrors", "Unhandled errors (500)"),
        events_metric("OutboxFailed", "Emails failed for good"),
    ]
    errors += [
        _metric("AWS/Lambda", "Errors", {"FunctionName": function_name(prefix, f)}, period=hour, label=f"{f} errors")
        for f in functions
    ]
    dashboard = cloudwatch.Dashboard(
        stage,
        "ClinicDay",
        dashboard_name=f"{prefix}-clinic-day",
        start="-P1D",
        period_override=cloudwatch.PeriodOverride.INHERIT,
    )
    dashboard.add_widgets(
        cloudwatch.TextWidget(
            markdown=f"# {prefix}: the clinic's day\nHourly counts from the app's JSON log "
            "events; alarms are explained in infrastructure/README.md.",
            width=24,
            height=2,
        )
    )
    dashboard.add_widgets(
        graph("Bookings (slots held)", [events_metric("Bookings", "Slots held")]),
        graph(
            "Payments",
            [
                events_metric("PaymentsCreated", "Payments started"),
                events_metric("BookingsPaid", "Bookings paid"),
                events_metric("BookingsRefunded", "Refunds"),
            ],
        ),
        graph("Rooms opened", [events_metric("RoomsOpened", "Rooms opened")]),
    )
    dashboard.add_widgets(
        graph("Conclusions signed", [events_metric("ConclusionsSigned", "Conclusions signed")]),
        graph("Errors", errors),
        cloudwatch.GraphWidget(
            title="API errors",
            width=8,
            height=6,
            left=[
                _metric(
                    "AWS/ApiGateway",
                    "5XXError",
                    {"ApiName": f"{prefix}-api", "Stage": "api"},
                    period=hour,
                    label="REST 5xx",
                )
            ],
            right=[websocket_errors],
        ),
    )
