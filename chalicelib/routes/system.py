"""Health and the API's own description."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import health as checks
from chalicelib.config import settings
from chalicelib.web.access import ANYONE
from chalicelib.web.openapi import document
from chalicelib.web.routing import Call, Endpoints, Model

bp: Blueprint = Blueprint(__name__)
api = Endpoints(bp, "system")


@api.get(
    "/health", access=ANYONE, summary="The stack can serve", response=Model("system.Health"), errors=("unavailable",)
)
def health(call: Call) -> dict[str, Any]:
    return checks.status()


@api.get("/clinic", access=ANYONE, summary="The clinic's contacts the site shows", response=Model("system.Clinic"))
def clinic(call: Call) -> dict[str, Any]:
    """The documents address is one setting (DOCUMENTS_ADDRESS): the emails, the intake and the site name the same."""
    return {"documents_address": settings().documents_address}


@api.get("/openapi.json", access=ANYONE, summary="This document", response=Model("system.OpenApiDocument"))
def openapi(call: Call) -> dict[str, Any]:
    return document(bp.current_app.routes)
