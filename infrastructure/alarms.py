"""Alarms and the clinic's day on a dashboard: what tells the on-call person that something is wrong.

Over the metrics operations.py sets up (function logs, the app's log events, the failure queues) and those of
API Gateway, Lambda, Step Functions and SES. Each alarm is described for the on-call person in
infrastructure/README.md ("Operations"); the names here and there are the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs

# Lambda Errors per function over 5 minutes that page: the API answers its own errors as 500s (the 5xx alarm
# sees those); an Errors count here is a crash or a timeout.
ERROR_THRESHOLDS = {"APIHandler": 3, "WebsocketMessage": 5}  # others: 1
FIVE_MINUTES = cdk.Duration.minutes(5)


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


def alarms_and_dashboard(
    stage: cdk.Stack,
    topic: sns.Topic,
    *,
    prefix: str,
    namespace: str,
    functions: Mapping[str, str],
    rest_api_name: str,
    websocket_api_id: str,
    dead_letter_queues: Iterable[sqs.IQueue],
    timer_arn: str,
) -> list[cloudwatch.Alarm]:
    """Every alarm (to `topic`), then the dashboard. `functions`: each Lambda function's logical id → its name;
    `namespace`: where operations.py counts the app's log events."""
    alarms = _Alarms(stage, topic, prefix)
    rest_errors = _metric("AWS/ApiGateway", "5XXError", {"ApiName": rest_api_name, "Stage": "api"})
    rest_count = _metric("AWS/ApiGateway", "Count", {"ApiName": rest_api_name, "Stage": "api"})
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
            "execution": _metric("AWS/ApiGateway", "ExecutionError", {"ApiId": websocket_api_id, "Stage": "api"}),
            "integration": _metric("AWS/ApiGateway", "IntegrationError", {"ApiId": websocket_api_id, "Stage": "api"}),
        },
    )
    alarms.add(
        "WebsocketApiErrors",
        websocket_errors,
        5,
        "WebSocket API (signaling): ≥ 5 execution or integration errors in 5 minutes",
    )
    for queue in dead_letter_queues:
        construct_id = f"{queue.node.id}Visible"
        alarms.add(
            construct_id,
            queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
            1,
            "A message waits in a dead-letter / failure queue",
        )
    for logical_id, name in functions.items():
        dims = {"FunctionName": name}
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
    timer_dims = {"StateMachineArn": timer_arn}
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

    _dashboard(stage, prefix, namespace, functions, rest_api_name, websocket_errors)
    return alarms.made


def _dashboard(
    stage: cdk.Stack,
    prefix: str,
    namespace: str,
    functions: Mapping[str, str],
    rest_api_name: str,
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
        _metric("AWS/Lambda", "Errors", {"FunctionName": name}, period=hour, label=f"{f} errors")
        for f, name in functions.items()
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
                    {"ApiName": rest_api_name, "Stage": "api"},
                    period=hour,
                    label="REST 5xx",
                )
            ],
            right=[websocket_errors],
        ),
    )
