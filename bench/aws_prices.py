"""Public on-demand prices and what one consultation, as metered, costs at them."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter

from bench.aws_meter import Meter

# Public on-demand prices (USD), as published on the AWS pricing pages and known to me as of 2026-12-02 (not
# re-checked online from this machine); free tiers ignored. Where a figure was uncertain, the higher plausible one.
# (us-east-1, eu-central-1 Frankfurt)
PRICES: dict[str, tuple[float, float]] = {
    # Lambda x86: per GB-second, and per request
    "lambda_gb_s": (0.0000166667, 0.0000166667),
    "lambda_request": (0.20e-6, 0.20e-6),
    # API Gateway REST API, per request (first 333 M a month); WebSocket: per message (32 KB units), per
    # connection-minute
    "apigw_rest_request": (3.50e-6, 3.70e-6),
    "apigw_ws_message": (1.00e-6, 1.14e-6),
    "apigw_ws_connection_minute": (0.25e-6, 0.285e-6),
    # DynamoDB on-demand (standard table class, after the November 2024 halving): per write / read request unit
    "dynamodb_wru": (0.625e-6, 0.7625e-6),
    "dynamodb_rru": (0.125e-6, 0.1525e-6),
    # SES: per outgoing email, and per GB of attachments
    "ses_email": (0.10e-3, 0.10e-3),
    "ses_attachment_gb": (0.12, 0.12),
    # SQS standard queue, per request (64 KB units)
    "sqs_request": (0.40e-6, 0.40e-6),
    # Step Functions standard workflows, per state transition
    "sfn_transition": (0.025e-3, 0.025e-3),
    # KMS: per request, symmetric and RSA_2048 asymmetric alike (the doctors' keys are RSA_2048,
    # infrastructure/access.py SIGNING_KEY_SPEC); the $1 a month per key is the clinic's, not a consultation's
    "kms_request": (0.03e-4, 0.03e-4),
    # S3 Standard: PUT, COPY, POST, LIST per request; GET and the rest per request
    "s3_put": (0.005e-3, 0.0054e-3),
    "s3_get": (0.0004e-3, 0.00043e-3),
    # Secrets Manager API calls; SSM standard parameters are free
    "secretsmanager_request": (0.05e-4, 0.05e-4),
}
REGIONS = ("us-east-1", "eu-central-1")
LAMBDA_MEMORY_GB = 1024 / 1024  # infrastructure/stack.py: lambda_memory_size 1024 for every function
AWS_LATENCY_S = 0.010  # added to the in-process duration per AWS request (moto in-process has no network)
S3_PUT_CLASS = {"PutObject", "CopyObject", "PostObject", "ListObjects", "ListObjectsV2", "CreateMultipartUpload"}
FREE = {("ssm", "GetParameter"), ("ssm", "GetParameters"), ("states", "StartExecution"), ("states", "StopExecution")}


# Price and report

SERVICE_NAMES = {
    "dynamodb": "DynamoDB",
    "apigatewaymanagementapi": "API Gateway @connections",
    "ses": "SES",
    "sqs": "SQS",
    "stepfunctions": "Step Functions",
    "kms": "KMS",
    "s3": "S3",
    "ssm": "SSM",
    "secretsmanager": "Secrets Manager",
}


@dataclasses.dataclass
class Bill:
    lines: dict[str, float]  # what → USD

    @property
    def total(self) -> float:
        return sum(self.lines.values())


def lambda_seconds(meter: Meter) -> list[float]:
    """Billed duration of each invocation: in-process time plus AWS's network per request, whole ms."""
    return [math.ceil((i.seconds + AWS_LATENCY_S * len(i.calls)) * 1000) / 1000 for i in meter.invocations]


def price(meter: Meter, region: str) -> Bill:
    p = {name: pair[REGIONS.index(region)] for name, pair in PRICES.items()}
    calls = meter.calls
    count = Counter((c.service, c.operation) for c in calls)
    s3_put = sum(n for (s, o), n in count.items() if s == "s3" and o in S3_PUT_CLASS)
    s3_get = sum(n for (s, o), n in count.items() if s == "s3" and o not in S3_PUT_CLASS)
    ws_out = sum(n for (s, _), n in count.items() if s == "apigatewaymanagementapi")
    lines = {
        "Lambda requests": len(meter.invocations) * p["lambda_request"],
        "Lambda GB-s": sum(lambda_seconds(meter)) * LAMBDA_MEMORY_GB * p["lambda_gb_s"],
        "API Gateway REST requests": len(meter.rest_requests) * p["apigw_rest_request"],
        "API Gateway WebSocket messages": (len(meter.ws_messages) + ws_out) * p["apigw_ws_message"],
        "API Gateway WebSocket connection minutes": meter.connection_minutes * p["apigw_ws_connection_minute"],
        "DynamoDB write units": sum(c.wru for c in calls) * p["dynamodb_wru"],
        "DynamoDB read units": sum(c.rru for c in calls) * p["dynamodb_rru"],
        "SES emails": sum(n for (s, o), n in count.items() if s == "ses" and o.startswith("Send")) * p["ses_email"],
        "SES data": sum(c.ses_bytes for c in calls) / 1024**3 * p["ses_attachment_gb"],
        "SQS requests": sum(n for (s, _), n in count.items() if s == "sqs") * p["sqs_request"],
        "Step Functions transitions": len(meter.transitions) * p["sfn_transition"],
        "KMS requests": sum(n for (s, _), n in count.items() if s == "kms") * p["kms_request"],
        "S3 requests": s3_put * p["s3_put"] + s3_get * p["s3_get"],
        "Secrets Manager requests": sum(n for (s, _), n in count.items() if s == "secretsmanager")
        * p["secretsmanager_request"],
    }
    priced = {"dynamodb", "apigatewaymanagementapi", "ses", "sqs", "kms", "s3", "secretsmanager", "stepfunctions"}
    unpriced = {k for k in count if k[0] not in priced and k not in FREE}
    if unpriced:
        raise RuntimeError(f"no price for {sorted(unpriced)}: add one to PRICES")
    return Bill(lines)
