"""TURN credentials: minted per join, short-lived; coturn's REST scheme and Kinesis Video's API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.rooms.turn import CoturnRestProvider, KinesisVideoTurnProvider

CHANNEL = "arn:aws:kinesisvideo:eu-central-1:123456789012:channel/telemed-prod-turn/1700000000000"


def test_coturn_rest_credentials_expire_and_verify() -> None:
    provider = CoturnRestProvider(["turn:turn.example.org:3478?transport=udp"], "shared-secret", ttl_seconds=600)
    [server] = provider.ice_servers("room1-patient")
    expiry, identity = server["username"].split(":")
    assert identity == "room1-patient"
    assert 590 <= int(expiry) - time.time() <= 600
    expected = base64.b64encode(hmac.new(b"shared-secret", server["username"].encode(), hashlib.sha1).digest()).decode()
    assert server["credential"] == expected
    assert server["urls"] == ["turn:turn.example.org:3478?transport=udp"]


def test_each_join_gets_fresh_credentials() -> None:
    provider = CoturnRestProvider(["turn:x"], "s", ttl_seconds=600)
    first = provider.ice_servers("room1-doctor")[0]
    second = provider.ice_servers("room1-patient")[0]
    assert first["username"] != second["username"] and first["credential"] != second["credential"]


def test_kinesis_video_turn_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """GetSignalingChannelEndpoint once, GetIceServerConfig per join, answers shaped as AWS's (stubbed)."""
    kvs = boto3.client("kinesisvideo", region_name="eu-central-1")
    signaling = boto3.client(
        "kinesis-video-signaling",
        region_name="eu-central-1",
        endpoint_url="https://r-1234.kinesisvideo.eu-central-1.amazonaws.com",
    )
    with Stubber(kvs) as kvs_stub, Stubber(signaling) as signaling_stub:
        kvs_stub.add_response(
            "get_signaling_channel_endpoint",
            {
                "ResourceEndpointList": [
                    {"Protocol": "HTTPS", "ResourceEndpoint": "https://r-1234.kinesisvideo.eu-central-1.amazonaws.com"}
                ]
            },
            {
                "ChannelARN": CHANNEL,
                "SingleMasterChannelEndpointConfiguration": {"Protocols": ["HTTPS"], "Role": "VIEWER"},
            },
        )
        for client_id in ("room1-doctor", "room1-patient"):
            signaling_stub.add_response(
                "get_ice_server_config",
                {
                    "IceServerList": [
                        {
                            "Uris": [
                                "turn:35-158-1-1.t-1234.kinesisvideo.eu-central-1.amazonaws.com:443?transport=udp",
                                "turns:35-158-1-1.t-1234.kinesisvideo.eu-central-1.amazonaws.com:443?transport=tcp",
                            ],
                            "Username": f"1700000300:{client_id}",
                            "Password": "secret-from-aws",
                            "Ttl": 300,
                        }
                    ]
                },
                {"ChannelARN": CHANNEL, "ClientId": client_id, "Service": "TURN"},
            )
        from chalicelib import aws

        monkeypatch.setattr(aws, "client", lambda service: kvs)
        monkeypatch.setattr(boto3.session.Session, "client", lambda self, *a, **k: signaling)
        provider = KinesisVideoTurnProvider(CHANNEL)
        doctor = provider.ice_servers("room1-doctor")
        patient = provider.ice_servers("room1-patient")
        kvs_stub.assert_no_pending_responses()
        signaling_stub.assert_no_pending_responses()
    assert doctor[0]["urls"][1].startswith("turns:") and doctor[0]["credential"] == "secret-from-aws"
    assert patient[0]["username"].endswith("room1-patient")
