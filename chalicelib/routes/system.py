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


OPENAPI = {
    "type": "object",
    "required": ["openapi", "info", "paths", "components"],
    "properties": {
        "openapi": {"type": "string"},
        "info": {
            "type": "object",
            "required": ["title", "version"],
            "properties": {"title": {"type": "string"}, "version": {"type": "string"}},
        },
        "servers": {
            "type": "array",
            "items": {"type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}},
        },
        # Open on purpose: these are described by the OpenAPI specification, not by this API.
        "paths": {
            "type": "object",
            "description": "OpenAPI Path Items, by path (open: the OpenAPI spec's shape)",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": True,
                "description": "OpenAPI Path Item (open: the OpenAPI spec's shape)",
            },
        },
        "components": {
            "type": "object",
            "description": "OpenAPI Components (open: the OpenAPI spec's shape)",
            "additionalProperties": True,
        },
    },
}


@api.get("/openapi.json", access=ANYONE, summary="This document", response=OPENAPI)
def openapi(call: Call) -> dict[str, Any]:
    from chalicelib.web.openapi import document

    return document(bp.current_app.routes, title="Telemedicine consultations API")
