"""«Мои данные»: a patient asks for an archive of their data, watches it being built, downloads it."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.records_export import service
from chalicelib.web.access import role
from chalicelib.web.routing import Call, Endpoints, ListOf, Model, Reply

bp = Blueprint(__name__)
api = Endpoints(bp, "data_export")
PATIENT = role(roles.PATIENT)


@api.post(
    "/me/data-exports",
    access=PATIENT,
    summary="Start building an archive of everything held about me (one at a time, a few a day)",
    ok=202,
    response=Model("data_export.DataExport"),
    errors=("not_signed_in", "forbidden", "export_building", "too_many_requests", "unavailable"),
)
def request_export(call: Call) -> Reply:
    return Reply(service.request(call.principal, call.ip, call.user_agent), status=202)


@api.get(
    "/me/data-exports",
    access=PATIENT,
    summary="My latest archives, newest first (no links)",
    response=ListOf("data_export.DataExport"),
    errors=("not_signed_in", "forbidden"),
)
def exports(call: Call) -> list[dict[str, Any]]:
    return service.recent(call.principal)


@api.get(
    "/me/data-exports/{export_id}",
    access=PATIENT,
    summary="One of my archives: its status and, when ready, a download link that works for minutes",
    response=Model("data_export.DataExport"),
    errors=("not_signed_in", "forbidden", "not_found", "unavailable"),
)
def export(call: Call, export_id: str) -> dict[str, Any]:
    return service.status(call.principal, export_id, call.ip, call.user_agent)
