"""TURN credentials, minted per join with a short life, never cached past it.

One interface, two providers:
- `CoturnRestProvider`: coturn's TURN REST scheme (a shared secret; username
  "<expiry>:<id>", password base64(HMAC-SHA1(secret, username))); the local stack's.
- `KinesisVideoTurnProvider`: Amazon Kinesis Video Streams' managed TURN
  (GetSignalingChannelEndpoint once, then GetIceServerConfig per join); production's.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import time
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.errors import Unavailable
from chalicelib.secrets import secret


class TurnProvider(Protocol):
    def ice_servers(self, identity: str) -> list[dict[str, Any]]:
        """RTCIceServer dicts ({urls, username?, credential?}) for one participant's join."""


class CoturnRestProvider:
    def __init__(self, urls: list[str], secret: str, ttl_seconds: int = 600) -> None:
        self.urls = urls
        self.secret = secret
        self.ttl_seconds = ttl_seconds

    def ice_servers(self, identity: str) -> list[dict[str, Any]]:
        username = f"{int(time.time()) + self.ttl_seconds}:{identity}"
        digest = hmac.new(self.secret.encode(), username.encode(), hashlib.sha1).digest()
        return [{"urls": self.urls, "username": username, "credential": base64.b64encode(digest).decode()}]


class KinesisVideoTurnProvider:
    def __init__(self, channel_arn: str) -> None:
        self.channel_arn = channel_arn

    @functools.cached_property
    def _signaling(self) -> Any:
        endpoints = aws.client("kinesisvideo").get_signaling_channel_endpoint(
            ChannelARN=self.channel_arn,
            SingleMasterChannelEndpointConfiguration={"Protocols": ["HTTPS"], "Role": "VIEWER"},
        )["ResourceEndpointList"]
        https = next(e["ResourceEndpoint"] for e in endpoints if e["Protocol"] == "HTTPS")
        import boto3  # heavy (~100 ms); only the kvs provider makes a client with an endpoint of its own

        return boto3.session.Session().client("kinesis-video-signaling", endpoint_url=https)

    def ice_servers(self, identity: str) -> list[dict[str, Any]]:
        try:
            found = self._signaling.get_ice_server_config(
                ChannelARN=self.channel_arn, ClientId=identity[:256], Service="TURN"
            )["IceServerList"]
        except (BotoCoreError, ClientError, StopIteration) as exc:
            raise Unavailable("turn") from exc
        return [
            {"urls": server["Uris"], "username": server["Username"], "credential": server["Password"]}
            for server in found
        ]


def provider() -> TurnProvider | None:
    """The stage's provider: TURN_PROVIDER = coturn | kvs | none."""
    s = settings()
    if s.turn_provider == "coturn":
        return CoturnRestProvider(list(s.turn_urls), secret("TURN_SHARED_SECRET"))
    if s.turn_provider == "kvs":
        return KinesisVideoTurnProvider(s.kvs_channel_arn)
    return None


def ice_servers(identity: str) -> list[dict[str, Any]]:
    """STUN (when configured) and fresh TURN credentials for one join."""
    s = settings()
    servers: list[dict[str, Any]] = [{"urls": list(s.stun_urls)}] if s.stun_urls else []
    turn = provider()
    if turn is not None:
        servers.extend(turn.ice_servers(identity))
    return servers
