"""The address recorded for a caller: CloudFront's word for it only with CloudFront's secret."""

from __future__ import annotations

import boto3
import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client
from moto import mock_aws

from chalicelib import secrets
from chalicelib.web.access import ANYONE
from chalicelib.web.addresses import caller_address
from chalicelib.web.routing import Call, Endpoints

SECRET = "s3cr3t-only-cloudfront-knows-0123456789abcdef"


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({"x-origin-verify": SECRET, "true-client-ip": "203.0.113.7"}, "203.0.113.7"),
        ({"x-origin-verify": SECRET, "true-client-ip": " 2001:db8::1 "}, "2001:db8::1"),
        ({"x-origin-verify": "guessed", "true-client-ip": "203.0.113.7"}, "198.51.100.1"),  # forged, direct to the API
        ({"true-client-ip": "203.0.113.7"}, "198.51.100.1"),
        ({"x-origin-verify": SECRET, "true-client-ip": "not an address"}, "198.51.100.1"),
        ({"x-origin-verify": SECRET}, "198.51.100.1"),
        ({}, "198.51.100.1"),  # YooKassa's notification, straight to API Gateway
    ],
)
def test_the_viewer_address_is_believed_only_with_the_secret(headers: dict, expected: str) -> None:
    assert caller_address(headers, "198.51.100.1", SECRET) == expected


def test_without_cloudfront_the_gateway_address_is_the_callers() -> None:
    assert (
        caller_address({"x-origin-verify": "", "true-client-ip": "203.0.113.7"}, "198.51.100.1", "") == "198.51.100.1"
    )


@pytest.fixture
def whoami() -> Chalice:
    app = Chalice(app_name="addresses")
    bp = Blueprint(__name__)
    api = Endpoints(bp, "addresses")

    @api.get("/whoami", access=ANYONE, summary="the caller's address")
    def who(call: Call) -> dict:
        return {"ip": call.ip}

    app.register_blueprint(bp)
    secrets.secret.cache_clear()
    # Read the test stage's settings now: Chalice's test client runs each request with its "dev" stage's
    # variables from .chalice/config.json in os.environ, and settings first read there would be that stage's.
    from chalicelib.config import settings

    settings()
    yield app
    secrets.secret.cache_clear()


def ask(app: Chalice, offered: str) -> str:
    with Client(app) as client:
        answer = client.http.get("/whoami", headers={"X-Origin-Verify": offered, "True-Client-IP": "203.0.113.7"})
    return answer.json_body["ip"]


def test_through_cloudfront_the_patients_own_address_is_recorded(
    whoami: Chalice, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mock_aws():
        arn = boto3.client("secretsmanager", region_name="eu-central-1").create_secret(
            Name="origin-verify", SecretString=SECRET
        )["ARN"]
        monkeypatch.setenv("ORIGIN_VERIFY_SECRET_SECRET_ARN", arn)
        assert ask(whoami, SECRET) == "203.0.113.7"
        assert ask(whoami, "forged") != "203.0.113.7"


def test_without_the_secret_the_gateway_address_is_recorded(whoami: Chalice, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ask(whoami, SECRET) != "203.0.113.7"  # the local stack: no CloudFront, nothing to vouch
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET_SECRET_ARN", "arn:aws:secretsmanager:eu-central-1:1:secret:gone")
    with mock_aws():  # Secrets Manager cannot give it: the gateway's address, and the request still answered
        assert ask(whoami, SECRET) != "203.0.113.7"
