"""The video room: its state, times, ICE servers and the signaling ticket; the network check."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.web.access import ANYONE
from chalicelib.web.routing import Call, Endpoints
from chalicelib.web.schema import Obj, Str

bp = Blueprint(__name__)
api = Endpoints(bp, "rooms")

ROOM = {
    "type": "object",
    "required": ["status", "opens_at", "closes_at", "server_time", "ice_servers", "signaling_url", "role"],
    "properties": {
        "room_id": {"type": "string"},
        "status": {"type": "string", "enum": ["scheduled", "lobby", "open", "closed"]},
        "role": {"type": "string", "enum": ["patient", "doctor"]},
        "opens_at": {"type": "string", "format": "date-time"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "closes_at": {"type": "string", "format": "date-time"},
        "server_time": {"type": "string", "format": "date-time"},
        "ice_servers": {
            "type": "array",
            "description": "RTCIceServer: STUN, and TURN with fresh credentials",
            "items": {
                "type": "object",
                "required": ["urls"],
                "properties": {
                    "urls": {"type": "array", "items": {"type": "string"}},
                    "username": {"type": "string"},
                    "credential": {"type": "string"},
                },
            },
        },
        "signaling_url": {
            "type": "string",
            "nullable": True,
            "description": "WebSocket address with a single-use ticket (lobby and open only)",
        },
        "video": {
            "type": "object",
            "required": ["max_bitrate", "max_width", "max_height", "max_fps"],
            "properties": {
                "max_bitrate": {"type": "integer"},
                "max_width": {"type": "integer"},
                "max_height": {"type": "integer"},
                "max_fps": {"type": "integer"},
            },
        },
        "doctor": {
            "type": "object",
            "nullable": True,
            "required": ["full_name"],
            "properties": {"full_name": {"type": "string"}, "specialty": {"type": "string", "nullable": True}},
        },
        "patient": {
            "type": "object",
            "nullable": True,
            "required": ["full_name"],
            "properties": {"full_name": {"type": "string"}},
            "description": "to the doctor only",
        },
        "booking_id": {"type": "string", "nullable": True, "description": "to the doctor only"},
        "documents_address": {
            "type": "string",
            "nullable": True,
            "description": "to the patient only: the booking's own address for documents by email",
        },
    },
}
NETWORK_CHECK_LIMIT = 512 * 1024


@api.get(
    "/rooms/{room_id}",
    access=ANYONE,
    summary="The room: by its link's token (patient, no sign-in) or by the doctor's session",
    headers=Obj(fields={"X-Room-Token": Str(required=False, max_len=128, strip=False)}),
    response=ROOM,
    errors=("not_found", "room_closed"),
)
def room(call: Call, room_id: str) -> dict[str, Any]:
    """The link's token comes in a header (the page reads it from the address's fragment), never in a query."""
    from chalicelib.rooms import service

    token = call.header_values.get("X-Room-Token")
    found, role = service.enter(room_id, token, None if token else call.principal)
    return service.info(found, role)


@api.post(
    "/network-check",
    access=ANYONE,
    summary="Upload estimate: send up to 512 KB, get the bytes counted",
    content_types=("application/octet-stream",),
    response={"type": "object", "properties": {"received_bytes": {"type": "integer"}}},
    errors=("payload_too_large",),
)
def network_check(call: Call) -> dict[str, Any]:
    from chalicelib.errors import DomainError

    received = len(call.raw_body())
    if received > NETWORK_CHECK_LIMIT:

        class TooLarge(DomainError):
            code = "payload_too_large"

        raise TooLarge()
    return {"received_bytes": received}
