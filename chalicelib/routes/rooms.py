"""The video room: its state, times, ICE servers and the signaling ticket; the network check."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.errors import DomainError
from chalicelib.rooms import service
from chalicelib.web.access import ANYONE
from chalicelib.web.routing import Call, Endpoints, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "rooms")

NETWORK_CHECK_LIMIT = 512 * 1024


@api.get(
    "/rooms/{room_id}",
    access=ANYONE,
    summary="The room: by its link's token (patient, no sign-in) or by the doctor's session",
    headers=Model("rooms.RoomHeaders"),
    response=Model("rooms.Room"),
    errors=("not_found", "room_closed"),
)
def room(call: Call, room_id: str) -> dict[str, Any]:
    """The link's token comes in a header (the page reads it from the address's fragment), never in a query."""
    token = call.header_values.get("X-Room-Token")
    found, role = service.enter(room_id, token, None if token else call.principal)
    return service.info(found, role)


@api.post(
    "/network-check",
    access=ANYONE,
    summary="Upload estimate: send up to 512 KB, get the bytes counted",
    content_types=("application/octet-stream",),
    response=Model("rooms.NetworkCheck"),
    errors=("payload_too_large",),
)
def network_check(call: Call) -> dict[str, Any]:
    received = len(call.raw_body())
    if received > NETWORK_CHECK_LIMIT:

        class TooLarge(DomainError):
            code = "payload_too_large"

        raise TooLarge()
    return {"received_bytes": received}
