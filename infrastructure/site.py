"""The static site: a private bucket behind CloudFront with the security headers, and /api/* to API Gateway on
the same domain, where CloudFront vouches for the viewer's address with a secret the app checks.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from chalice.cdk import Chalice

from chalicelib import resources
from chalicelib.site import security_headers
from chalicelib.web.addresses import ORIGIN_HEADER, SECRET_NAME, VIEWER_HEADER
from infrastructure import edge
from infrastructure.domain import SiteDomain


def static_site(stage: cdk.Stack, chalice: Chalice, data_key: kms.Key, *, prefix: str, site_domain: SiteDomain) -> None:
    """The static site in a private bucket behind CloudFront; /api/* to API Gateway on the same domain."""
    site = s3.Bucket(
        stage,
        "Site",
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        encryption=s3.BucketEncryption.S3_MANAGED,
        removal_policy=cdk.RemovalPolicy.RETAIN,
        versioned=True,  # an upload that broke the site can be undone object by object
        lifecycle_rules=[s3.LifecycleRule(id="old-versions", noncurrent_version_expiration=cdk.Duration.days(30))],
    )
    edge.server_access_logs(stage, site, "site/")
    bucket = resources.documents_bucket()
    headers = security_headers(
        " ".join(
            [
                f"wss://*.execute-api.{stage.region}.amazonaws.com",  # signaling
                f"https://{bucket}.s3.amazonaws.com",
                f"https://{bucket}.s3.{stage.region}.amazonaws.com",  # uploads
            ]
        )
    )
    policy = cloudfront.ResponseHeadersPolicy(
        stage,
        "SecurityHeaders",
        security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
            content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                content_security_policy=headers["Content-Security-Policy"], override=True
            ),
            strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                access_control_max_age=cdk.Duration.days(730), include_subdomains=True, override=True
            ),
            content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
            frame_options=cloudfront.ResponseHeadersFrameOptions(
                frame_option=cloudfront.HeadersFrameOption.DENY, override=True
            ),
            referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
            ),
        ),
        custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
            custom_headers=[
                cloudfront.ResponseCustomHeader(
                    header="Permissions-Policy", value=headers["Permissions-Policy"], override=True
                )
            ]
        ),
    )
    spa = cloudfront.Function(
        stage,
        "SinglePageApp",
        code=cloudfront.FunctionCode.from_inline(
            "function handler(event) { var r = event.request;"
            " if (r.uri.indexOf('.') === -1) { r.uri = '/index.html'; } return r; }"
        ),
    )
    api_domain = cdk.Fn.join("", [chalice.get_resource("RestAPI").ref, ".execute-api.", stage.region, ".amazonaws.com"])
    # The patient's own address for the API (sign-in throttling, signed consents, the audit log): CloudFront
    # puts it in True-Client-IP and vouches for it with a secret the app checks (chalicelib/web/addresses.py).
    origin_secret = secretsmanager.Secret(
        stage,
        "OriginVerify",
        description="CloudFront vouches for the viewer's address with this",
        encryption_key=data_key,
        generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=48),
    )
    origin_secret_value = origin_secret.secret_value.unsafe_unwrap()  # a dynamic reference, resolved on deploy
    chalice.add_environment_variable(f"{SECRET_NAME}_SECRET_ARN", origin_secret.secret_arn, "APIHandler")
    origin_secret.grant_read(chalice.get_role("ApiHandlerRole"))
    viewer_address = cloudfront.Function(
        stage,
        "ViewerAddress",
        code=cloudfront.FunctionCode.from_inline(
            f"function handler(event) {{ var r = event.request;"
            f" r.headers['{VIEWER_HEADER}'] = {{value: event.viewer.ip}}; return r; }}"
        ),
    )
    distribution = cloudfront.Distribution(
        stage,
        "Distribution",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(site),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            # The site's files gzip- or brotli-compressed for browsers that accept it (the cache policy keys on it).
            compress=True,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            response_headers_policy=policy,
            function_associations=[
                cloudfront.FunctionAssociation(function=spa, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)
            ],
        ),
        additional_behaviors={
            "/api/*": cloudfront.BehaviorOptions(
                origin=origins.HttpOrigin(api_domain, custom_headers={ORIGIN_HEADER: origin_secret_value}),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=policy,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=viewer_address, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            )
        },
        default_root_object="index.html",
        minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        **site_domain.distribution_options(stage),
        **edge.distribution_options(stage, prefix),
    )  # WAF (us-east-1), access logs
    cdk.CfnOutput(stage, "SiteBucket", value=site.bucket_name)
    cdk.CfnOutput(stage, "SiteUrl", value=site_domain.site_url(distribution.distribution_domain_name))
    cdk.CfnOutput(stage, "DistributionId", value=distribution.distribution_id)  # for invalidations
    cdk.CfnOutput(stage, "DistributionDomain", value=distribution.distribution_domain_name)  # the DNS target
