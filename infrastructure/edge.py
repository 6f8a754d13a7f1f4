"""The edge: AWS WAF in front of CloudFront, and CloudFront's access logs.

Why a CLOUDFRONT-scope web ACL (in a small us-east-1 stack, read across regions) and not a REGIONAL one on
the REST API's stage:

- Behind CloudFront, API Gateway (and a REGIONAL ACL on its stage) sees CloudFront's address, shared by every
  patient at one edge location. Rate-based rules would then have to key on `True-Client-IP`
  (`ForwardedIPConfig`), the header our CloudFront function sets — and anyone calling the execute-api
  endpoint directly can send that header with a new made-up address on every request, so each request
  lands in a fresh bucket and the limit never bites. The app only believes that header with CloudFront's
  secret (chalicelib/web/addresses.py); WAF cannot check such a secret.
- AWS's IP reputation list matches the request's source address: on a REGIONAL ACL behind CloudFront that
  is always CloudFront, so the list would never match a real client.
- A CLOUDFRONT ACL sees the viewer's own address (no header to forge), so the managed groups and the
  per-address rate rules see what they were made for; it also covers the static site.

The price: CloudFront only takes web ACLs from us-east-1, so the ACL lives in `<stage>-edge` there and the
stage reads its ARN through CDK's cross-region reference (an SSM parameter in us-east-1, read by a custom
resource); `cdk deploy <stage>` deploys the edge stack first, and us-east-1 needs `cdk bootstrap` too.
What WAF on CloudFront does not cover is a client calling the execute-api endpoint directly: there the
stage's throttling (operations.py) and the app's own throttling (sign-in per login and per address,
password reset) still hold.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from constructs import Construct

EDGE_REGION = "us-east-1"  # CloudFront takes web ACLs (and certificates) from here only
RATE_WINDOW_S = 300  # WAF counts requests per address over the last 5 minutes

# (rule name, the path as the viewer asks it, HTTP method or None for any, requests per address per 5 min).
# Every limit is well above what a person does: the clinic's staff sign in from behind one address, and the
# app keeps its own, finer throttle for sign-in and password reset (chalicelib/accounts/throttle.py).
RATE_LIMITS: tuple[tuple[str, str, str | None, int], ...] = (
    ("RateSignIn", "/api/auth/login", "POST", 100),
    ("RatePasswordReset", "/api/auth/password-reset", None, 20),  # also /confirm
    ("RateRegistrationRequests", "/api/registration-requests", "POST", 20),  # POST: the public form
    ("RateNetworkCheck", "/api/network-check", None, 60),  # up to 512 KB each: 30 MB per 5 min at most
    ("RateConclusionVerify", "/api/conclusions/verify", None, 30),  # a PDF each
)
# Routes that take bodies larger than the common rule set's 8 KB (SizeRestrictions_BODY): the network check
# (up to 512 KB) and a conclusion's PDF to verify. Everywhere else a large body is still blocked.
LARGE_BODY_PATHS = ("/api/network-check", "/api/conclusions/verify")
SIZE_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"
MANAGED_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)

LOG_RETENTION_DAYS = 365  # access logs: a year back for an incident review (see infrastructure/README.md)


def _visibility(name: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


def _path(path: str, positional: str = "STARTS_WITH") -> dict[str, Any]:
    return {
        "ByteMatchStatement": {
            "FieldToMatch": {"UriPath": {}},
            "PositionalConstraint": positional,
            "SearchString": path,
            "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}, {"Priority": 1, "Type": "LOWERCASE"}],
        }
    }


def _method(method: str) -> dict[str, Any]:
    return {
        "ByteMatchStatement": {
            "FieldToMatch": {"Method": {}},
            "PositionalConstraint": "EXACTLY",
            "SearchString": method,
            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
        }
    }


def web_acl_rules() -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for group in MANAGED_GROUPS:
        statement: dict[str, Any] = {"VendorName": "AWS", "Name": group}
        if group == "AWSManagedRulesCommonRuleSet":
            # Counted (and labelled) here, blocked by BodySizeOutsideLargeUploads below except on the two
            # routes made for large bodies.
            statement["RuleActionOverrides"] = [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
        rules.append(
            {
                "Name": f"AWS-{group}",
                "Priority": len(rules),
                "OverrideAction": {"None": {}},
                "Statement": {"ManagedRuleGroupStatement": statement},
                "VisibilityConfig": _visibility(f"AWS-{group}"),
            }
        )
    rules.append(
        {
            "Name": "BodySizeOutsideLargeUploads",
            "Priority": len(rules),
            "Action": {"Block": {}},
            "Statement": {
                "AndStatement": {
                    "Statements": [
                        {"LabelMatchStatement": {"Scope": "LABEL", "Key": SIZE_LABEL}},
                        {
                            "NotStatement": {
                                "Statement": {
                                    "OrStatement": {"Statements": [_path(path, "EXACTLY") for path in LARGE_BODY_PATHS]}
                                }
                            }
                        },
                    ]
                }
            },
            "VisibilityConfig": _visibility("BodySizeOutsideLargeUploads"),
        }
    )
    for name, path, method, limit in RATE_LIMITS:
        scope = _path(path) if method is None else {"AndStatement": {"Statements": [_path(path), _method(method)]}}
        rules.append(
            {
                "Name": name,
                "Priority": len(rules),
                "Action": {"Block": {}},
                "Statement": {
                    "RateBasedStatement": {
                        "Limit": limit,
                        "AggregateKeyType": "IP",
                        "EvaluationWindowSec": RATE_WINDOW_S,
                        "ScopeDownStatement": scope,
                    }
                },
                "VisibilityConfig": _visibility(name),
            }
        )
    return rules


class EdgeStack(cdk.Stack):
    """`<stage>-edge` in us-east-1: what CloudFront can only take from there (the web ACL)."""

    def __init__(self, scope: Construct, construct_id: str, *, prefix: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.web_acl = cdk.CfnResource(
            self,
            "WebAcl",
            type="AWS::WAFv2::WebACL",
            properties={
                "Name": f"{prefix}-edge",
                "Scope": "CLOUDFRONT",
                "DefaultAction": {"Allow": {}},
                "Description": "Site and API behind CloudFront - managed rules and per-address limits",
                "Rules": web_acl_rules(),
                "VisibilityConfig": _visibility(f"{prefix}-edge"),
            },
        )

    @property
    def web_acl_arn(self) -> str:
        return cdk.Token.as_string(self.web_acl.get_att("Arn"))


def edge_stack(stage: cdk.Stack, prefix: str) -> EdgeStack:
    """The stage's us-east-1 companion (made once; another part of the stage may add to it)."""
    scope = stage.node.scope
    construct_id = f"{stage.node.id}-edge"
    found = scope.node.try_find_child(construct_id)  # type: ignore[union-attr]
    if isinstance(found, EdgeStack):
        return found
    if cdk.Token.is_unresolved(stage.region):
        raise ValueError("the stage needs a concrete region: CloudFront's web ACL is read across regions")
    account = None if cdk.Token.is_unresolved(stage.account) else stage.account
    return EdgeStack(
        scope,
        construct_id,
        prefix=prefix,  # type: ignore[arg-type]
        env=cdk.Environment(account=account, region=EDGE_REGION),
        cross_region_references=True,
        description=f"{prefix}: the web ACL CloudFront takes from {EDGE_REGION}",
    )


def log_bucket(stage: cdk.Stack) -> s3.Bucket:
    """Access logs of CloudFront and of the documents bucket, a year each (made once per stage)."""
    found = stage.node.try_find_child("AccessLogs")
    if isinstance(found, s3.Bucket):
        return found
    return s3.Bucket(
        stage,
        "AccessLogs",
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        # CloudFront's standard logs are written with ACLs: the bucket owner still owns every object.
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        encryption=s3.BucketEncryption.S3_MANAGED,  # CloudFront's log delivery cannot write SSE-KMS
        versioned=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="access-logs",
                expiration=cdk.Duration.days(LOG_RETENTION_DAYS),
                noncurrent_version_expiration=cdk.Duration.days(1),
            ),
            s3.LifecycleRule(id="unfinished-uploads", abort_incomplete_multipart_upload_after=cdk.Duration.days(1)),
        ],
    )


def distribution_options(stage: cdk.Stack, prefix: str) -> dict[str, Any]:
    """What site.py (`static_site`) passes to `cloudfront.Distribution`: the web ACL and standard logging.

    CloudFront's standard logs carry each request's query string (`cs-uri-query`). No token travels in a
    query string (the room's token is a header, reset and sign-in tokens are bodies, the signaling ticket
    goes to the WebSocket API, not CloudFront), and no personal data either (the registry's patient search
    sends the email in a POST body). They still hold viewers' addresses: private, a year, then deleted.
    Cookies are not logged.
    """
    return {
        "web_acl_id": edge_stack(stage, prefix).web_acl_arn,
        "enable_logging": True,
        "log_bucket": log_bucket(stage),
        "log_file_prefix": "cloudfront/",
        "log_includes_cookies": False,
    }


def documents_access_logs(stage: cdk.Stack, documents: s3.Bucket) -> None:
    """S3 server access logs of the documents bucket, into the log bucket under documents/."""
    server_access_logs(stage, documents, "documents/")


def server_access_logs(stage: cdk.Stack, bucket: s3.Bucket, prefix: str) -> None:
    """S3 server access logs of a bucket, into the log bucket under `prefix`."""
    logs = log_bucket(stage)
    cfn = bucket.node.default_child
    cfn.logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(  # type: ignore[union-attr]
        destination_bucket_name=logs.bucket_name, log_file_prefix=prefix
    )
    logs.add_to_resource_policy(
        cdk.aws_iam.PolicyStatement(
            principals=[cdk.aws_iam.ServicePrincipal("logging.s3.amazonaws.com")],
            actions=["s3:PutObject"],
            resources=[logs.arn_for_objects(f"{prefix}*")],
            conditions={
                "ArnLike": {"aws:SourceArn": bucket.bucket_arn},
                "StringEquals": {"aws:SourceAccount": stage.account},
            },
        )
    )
