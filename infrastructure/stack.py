"""One stage of the service on AWS, from the definitions the local stack and the tests use."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisvideo as kinesisvideo
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_ses as ses
from aws_cdk import aws_ses_actions as ses_actions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from chalice.cdk import Chalice
from constructs import Construct

from chalicelib import resources
from chalicelib.config import forget_settings, reload_settings, retention_schedule
from chalicelib.web.errors import error_body
from infrastructure import access, edge, operations, policies
from infrastructure.definitions import table_name, table_properties
from infrastructure.domain import SiteDomain
from infrastructure.operations import log_retention
from infrastructure.site import static_site

ROOT = Path(__file__).resolve().parent.parent
# Every Lambda function of app.py (each has its own role, named "<function>Role").
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


def stage_variables(stage: str) -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return {**config["environment_variables"], **config["stages"][stage]["environment_variables"]}


class TelemedStage(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, **kwargs: Any) -> None:
        kwargs.setdefault("cross_region_references", True)  # CloudFront's web ACL, from us-east-1 (edge.py)
        super().__init__(scope, construct_id, **kwargs)
        self.site_domain = SiteDomain.from_context(self.node)  # -c domain_name=... certificate_arn=...
        variables = self.site_domain.apply(stage_variables(stage))
        self.resource_prefix = variables["RESOURCE_PREFIX"]
        saved = dict(os.environ)
        # The shared definitions read the stage from the environment: the stage's, while this stack is built.
        os.environ.update(variables)
        os.environ.pop("LOCAL_STACK", None)  # a deployed stage is only its variables: never the local stack's
        try:
            self._build(variables)
        finally:
            os.environ.clear()
            os.environ.update(saved)
            forget_settings()  # read again when next needed: the outer environment may name no stage

    def _build(self, variables: dict[str, str]) -> None:
        # Here, not at the top: the models read the stage's settings when imported (set by __init__).
        from chalicelib.storage.tables import ALL_TABLES, Room

        reload_settings()
        prefix = variables["RESOURCE_PREFIX"]

        # Keys: documents at rest; doctors' signing keys are made later by an admin's action.
        data_key = kms.Key(
            self,
            "DataKey",
            alias=resources.data_key_alias(),
            enable_key_rotation=True,
            description="Documents at rest (uploads, conclusions, inbound mail)",
        )

        # Tables, from the PynamoDB models; encrypted with a key of their own, protected by what they hold
        # (infrastructure/access.py protections: personal or health data is never deleted with the stack).
        tables_key = kms.Key(
            self,
            "TablesKey",
            alias=f"alias/{prefix}-tables",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
            description="DynamoDB tables at rest",
        )
        tables = {}
        for model in ALL_TABLES:
            props = table_properties(model, prefix, **policies.table_protection(model, tables_key))
            tables[props["TableName"]] = cdk.CfnResource(
                self, f"Table{model.__name__}", type="AWS::DynamoDB::Table", properties=props
            )
            if props.get("DeletionProtectionEnabled"):
                tables[props["TableName"]].apply_removal_policy(cdk.RemovalPolicy.RETAIN)

        documents = s3.Bucket(
            self,
            "Documents",
            bucket_name=resources.documents_bucket(),
            encryption=s3.BucketEncryption.KMS,
            encryption_key=data_key,
            bucket_key_enabled=True,
            versioned=True,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            removal_policy=cdk.RemovalPolicy.RETAIN,
            lifecycle_rules=[
                # The retention schedule's term (chalicelib/config.py); the nightly job deletes them too.
                s3.LifecycleRule(
                    id="inbound-mail",
                    prefix="inbound/",
                    expiration=cdk.Duration.days(retention_schedule().inbound_mail.at_least_days),
                ),
                # What a cabinet form wrote: copied under attachments/ once checked, never served from here.
                s3.LifecycleRule(id="uploads", prefix="uploads/", expiration=cdk.Duration.days(1)),
                # Patients' archives of their own data («Мои данные»): taken within minutes, gone after a day,
                # earlier versions too (the nightly deletion job may remove them sooner).
                s3.LifecycleRule(
                    id="data-exports",
                    prefix=resources.EXPORTS_PREFIX,
                    expiration=cdk.Duration.days(retention_schedule().data_exports.at_least_days),
                    noncurrent_version_expiration=cdk.Duration.days(retention_schedule().data_exports.at_least_days),
                ),
                s3.LifecycleRule(id="old-versions", noncurrent_version_expiration=cdk.Duration.days(90)),
                s3.LifecycleRule(id="unfinished-uploads", abort_incomplete_multipart_upload_after=cdk.Duration.days(1)),
            ],
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST],
                    allowed_origins=[variables["PUBLIC_BASE_URL"]],
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ],
        )

        # Every queue and its dead-letter queue from the shared definitions (chalicelib/resources.py).
        made = {}
        for spec in resources.queues():
            dead = sqs.Queue(
                self,
                f"{spec.construct_id}Dead",
                queue_name=spec.dead_letter_name,
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=cdk.Duration.days(spec.dead_letter_retention_days),
            )
            made[spec.name] = sqs.Queue(
                self,
                spec.construct_id,
                queue_name=spec.name,
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                visibility_timeout=cdk.Duration.seconds(spec.visibility_timeout_s),
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=spec.max_receive_count, queue=dead),
            )
        inbound_queue = made[resources.inbound_mail_queue()]
        timer_queue = made[resources.timer_queue()]
        documents.add_event_notification(
            s3.EventType.OBJECT_CREATED, s3n.SqsDestination(inbound_queue), s3.NotificationKeyFilter(prefix="inbound/")
        )

        # The booking timer, from the one ASL file.
        timer_role = iam.Role(self, "BookingTimerRole", assumed_by=iam.ServicePrincipal("states.amazonaws.com"))
        rooms_table = table_name(Room, prefix)
        timer_role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:UpdateItem"],
                resources=[
                    cdk.Arn.format(
                        cdk.ArnComponents(service="dynamodb", resource="table", resource_name=rooms_table), self
                    )
                ],
            )
        )
        timer_queue.grant_send_messages(timer_role)
        definition = resources.STATE_MACHINE_FILE.read_text(encoding="utf-8")
        timer = sfn.CfnStateMachine(
            self,
            "BookingTimer",
            state_machine_name=resources.state_machine_name(),
            role_arn=timer_role.role_arn,
            definition_string=definition,
            definition_substitutions={"RoomsTable": rooms_table, "TimerQueueUrl": timer_queue.queue_url},
        )

        channel = kinesisvideo.CfnSignalingChannel(self, "TurnChannel", name=f"{prefix}-turn", type="SINGLE_MASTER")

        # The Chalice app: REST and WebSocket APIs and every Lambda function of app.py.
        # The stage's secrets in SSM, by name (YOOKASSA_SECRET_KEY → its parameter): each function reads only those
        # its declaration names (infrastructure/access.py).
        parameters = {
            key[: -len("_PARAMETER")]: value for key, value in variables.items() if key.endswith("_PARAMETER")
        }
        chalice = Chalice(
            self,
            "App",
            source_dir=str(ROOT),
            stage_config={
                "api_gateway_stage": "api",
                "manage_iam_role": True,
                "autogen_policy": False,
                "iam_policy_file": "policy-base.json",
                "lambda_memory_size": 1024,
                "lambda_timeout": 30,
                "environment_variables": {
                    **variables,
                    "BOOKING_TIMER_ARN": timer.attr_arn,
                    "TIMER_QUEUE_URL": timer_queue.queue_url,
                    "DATA_EXPORT_QUEUE_URL": made[resources.data_export_queue()].queue_url,
                    "TURN_PROVIDER": "kvs",
                    "KVS_CHANNEL_ARN": channel.attr_arn,
                    "WEBSOCKET_STAGE": "api",
                },
            },
        )
        # A long history's archive (every PDF and scan) takes minutes, within the queue's visibility.
        chalice.get_resource("DataExports").add_property_override("Timeout", resources.DATA_EXPORT_BUILD_S)
        websocket_api = chalice.get_resource("WebsocketAPI")
        signaling_url = cdk.Fn.join(
            "", ["wss://", websocket_api.ref, ".execute-api.", self.region, ".amazonaws.com/api"]
        )
        for function in FUNCTIONS:
            name = "APIHandler" if function == "ApiHandler" else function
            chalice.add_environment_variable("WEBSOCKET_API_ID", websocket_api.ref, name)
            chalice.add_environment_variable("SIGNALING_URL", signaling_url, name)

        targets = policies.Targets(
            stack=self,
            prefix=prefix,
            documents=documents,
            data_key=data_key,
            tables_key=tables_key,
            timer_arn=timer.attr_arn,
            queues=made,
            channel_arn=channel.attr_arn,
            websocket_api_id=websocket_api.ref,
            parameters=parameters,
        )
        declarations = access.declarations()
        for function in FUNCTIONS:  # least privilege: the one place a function's role gets a grant
            policies.grant(chalice.get_role(f"{function}Role"), declarations[function], targets)

        # Edge and operations (infrastructure/edge.py, operations.py): access logs, stage throttling and logs,
        # function logs and concurrency, failure queues, alarms (alarms.py), the dashboard.
        edge.documents_access_logs(self, documents)
        ops = operations.instrument(
            self, chalice, prefix=prefix, function_names=FUNCTIONS, queues=made.values(), timer=timer
        )
        self._timer_logs(timer, timer_role, ops.key, prefix)
        static_site(self, chalice, data_key, prefix=prefix, site_domain=self.site_domain)  # site.py

        # Mail: the sending identity, and receiving for the documents address.
        domain = resources.mail_identity()
        ses.EmailIdentity(self, "MailIdentity", identity=ses.Identity.domain(domain))
        rules = ses.ReceiptRuleSet(self, "InboundMailRules", receipt_rule_set_name=f"{prefix}-inbound")
        # The general address and, by its domain, each booking's own docs+<token>@ address (an address
        # recipient does not match sub-addresses); the app decides what each message may do.
        documents_domain = variables["DOCUMENTS_ADDRESS"].rsplit("@", 1)[-1].rstrip(">")
        rules.add_rule(
            "DocumentsAddress",
            recipients=[variables["DOCUMENTS_ADDRESS"], documents_domain],
            scan_enabled=True,
            # No kms_key: SES would encrypt each message client-side, and the app reads plain objects;
            # the bucket's SSE-KMS encrypts them at rest.
            actions=[ses_actions.S3(bucket=documents, object_key_prefix="inbound/")],
        )
        # SES writes as itself: S3 asks KMS for the bucket's data key on its behalf (SSE-KMS by default).
        data_key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("ses.amazonaws.com")],
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=["*"],
                conditions={
                    "StringEquals": {
                        "aws:SourceAccount": self.account,
                        "kms:ViaService": f"s3.{self.region}.amazonaws.com",
                    }
                },
            )
        )

        # An unknown route is our 404, as the local stack answers it (API Gateway would say 403).
        cdk.CfnResource(
            self,
            "UnknownRouteIsNotFound",
            type="AWS::ApiGateway::GatewayResponse",
            properties={
                "RestApiId": chalice.get_resource("RestAPI").ref,
                "ResponseType": "MISSING_AUTHENTICATION_TOKEN",
                "StatusCode": "404",
                "ResponseTemplates": {"application/json": json.dumps(error_body("not_found"), ensure_ascii=False)},
                "ResponseParameters": {"gatewayresponse.header.Cache-Control": "'no-store'"},
            },
        )
        cdk.CfnOutput(self, "SignalingUrl", value=signaling_url)
        cdk.CfnOutput(
            self,
            "WebhookUrl",
            value=cdk.Fn.join(
                "",
                [
                    "https://",
                    chalice.get_resource("RestAPI").ref,
                    ".execute-api.",
                    self.region,
                    ".amazonaws.com/api/payments/yookassa/webhook",
                ],
            ),
        )

    def _timer_logs(self, timer: sfn.CfnStateMachine, role: iam.Role, key: kms.IKey, prefix: str) -> None:
        """Every step of every booking timer in CloudWatch Logs (level ALL), without the execution's data."""
        group = logs.LogGroup(
            self,
            "BookingTimerLogs",
            log_group_name=f"/aws/vendedlogs/states/{prefix}-booking-timer",
            retention=log_retention(),
            encryption_key=key,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        timer.logging_configuration = sfn.CfnStateMachine.LoggingConfigurationProperty(
            level="ALL",
            include_execution_data=False,
            destinations=[
                sfn.CfnStateMachine.LogDestinationProperty(
                    cloud_watch_logs_log_group=sfn.CfnStateMachine.CloudWatchLogsLogGroupProperty(
                        log_group_arn=group.log_group_arn
                    )
                )
            ],
        )
        # Step Functions sets up the log delivery with the machine's role; these actions take no resource ARN.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "logs:CreateLogDelivery",
                    "logs:GetLogDelivery",
                    "logs:UpdateLogDelivery",
                    "logs:DeleteLogDelivery",
                    "logs:ListLogDeliveries",
                    "logs:PutResourcePolicy",
                    "logs:DescribeResourcePolicies",
                    "logs:DescribeLogGroups",
                ],
                resources=["*"],
            )
        )
        timer.node.add_dependency(role)  # the policy is in place before the machine is created with logging
