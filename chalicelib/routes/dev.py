"""Routes of the local stage only: the outbox of sent emails."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.web.access import ANYONE
from chalicelib.web.routing import Call, Endpoints

bp = Blueprint(__name__)
api = Endpoints(bp, "dev")

MESSAGE = {
    "type": "object",
    "required": ["id", "to", "subject", "text", "html", "attachments", "sent_at"],
    "properties": {
        "id": {"type": "string"},
        "to": {"type": "array", "items": {"type": "string"}},
        "subject": {"type": "string"},
        "text": {"type": "string"},
        "html": {"type": "string"},
        "attachments": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "filename": {"type": "string"},
                    "content_type": {"type": "string"},
                    "size": {"type": "integer"},
                },
            },
        },
        "sent_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}


@api.get(
    "/dev/outbox",
    access=ANYONE,
    summary="Emails sent through SES (local stage only)",
    response={"type": "array", "items": MESSAGE},
)
def outbox(call: Call) -> list[dict[str, Any]]:
    from chalicelib.devtools import outbox as store

    return store.messages()
