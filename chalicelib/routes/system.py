"""Health and the API's own description."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.web.access import ANYONE
from chalicelib.web.routing import Call, Endpoints

bp = Blueprint(__name__)
api = Endpoints(bp, "system")

HEALTH = {
    "type": "object",
    "required": ["status", "stage", "server_time"],
    "properties": {
        "status": {"type": "string", "enum": ["ok"]},
        "stage": {"type": "string"},
        "server_time": {"type": "string", "format": "date-time"},
    },
}


@api.get("/health", access=ANYONE, summary="The stack can serve", response=HEALTH, errors=("unavailable",))
def health(call: Call) -> dict[str, Any]:
    from chalicelib import health as checks

    return checks.status()


@api.get("/openapi.json", access=ANYONE, summary="This document", response={"type": "object"})
def openapi(call: Call) -> dict[str, Any]:
    from chalicelib.web.openapi import document

    return document(bp.current_app.routes, title="Telemedicine consultations API")
