"""Mail the staff must see: incoming messages kept aside for the registry, outgoing messages that failed."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.web.access import role
from chalicelib.web.routing import Call, Endpoints
from chalicelib.web.schema import Obj, Str

bp = Blueprint(__name__)
api = Endpoints(bp, "mail")
STAFF = role(roles.REGISTRAR, roles.ADMIN)
ADMIN = role(roles.ADMIN)

INBOUND = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "status", "received_at", "files"],
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string"},
        "reason": {"type": "string", "nullable": True},
        "received_at": {"type": "string"},
        "sender": {"type": "string", "nullable": True},
        "subject": {"type": "string", "nullable": True},
        "booking_id": {"type": "string", "nullable": True},
        "patient_id": {"type": "string", "nullable": True},
        "files": {"type": "array", "items": {"type": "string"}},
    },
}
FAILED = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "to", "template", "attempts", "created_at"],
    "properties": {
        "id": {"type": "string"},
        "to": {"type": "string"},
        "template": {"type": "string"},
        "attempts": {"type": "integer"},
        "last_error": {"type": "string", "nullable": True},
        "created_at": {"type": "string"},
    },
}


@api.get(
    "/inbound-mail",
    access=STAFF,
    summary="Incoming mail not attached: held (matched only by From + subject) or rejected (SES's verdicts)",
    query=Obj(fields={"status": Str(required=False, choices=("held", "rejected", "ignored", "attached"))}),
    response={"type": "array", "items": INBOUND},
    errors=("not_signed_in", "forbidden"),
)
def inbound_mail(call: Call) -> list[dict[str, Any]]:
    from chalicelib.documents import inbound

    return inbound.held(call.query.get("status") or "held")


@api.get(
    "/outbox/failed",
    access=ADMIN,
    summary="Emails that will not be sent, with the reason",
    response={"type": "array", "items": FAILED},
    errors=("not_signed_in", "forbidden"),
)
def failed_mail(call: Call) -> list[dict[str, Any]]:
    from chalicelib import outbox

    return outbox.failed()
