"""Reconciliation with YooKassa: the admin runs it for a period and reads the latest results."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.payments import reconciliation_run
from chalicelib.web.access import role
from chalicelib.web.routing import Call, Endpoints, ListOf, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "reconciliation")
ADMIN = role(roles.ADMIN)


@api.post(
    "/admin/reconciliations",
    access=ADMIN,
    summary="Reconcile YooKassa's payments, refunds and closing receipts with the bookings over UTC days (≤ 31)",
    body=Model("reconciliation.RunRequest"),
    ok=201,
    response=Model("reconciliation.Run"),
    errors=("not_signed_in", "forbidden", "validation_error", "reconciliation_unavailable"),
)
def run_now(call: Call) -> dict[str, Any]:
    return reconciliation_run.on_demand(call.body.get("from"), call.body.get("to"), call.principal.user_id)


@api.get(
    "/admin/reconciliations",
    access=ADMIN,
    summary="The latest reconciliations with YooKassa, newest first, with their differences",
    response=ListOf("reconciliation.Run"),
    errors=("not_signed_in", "forbidden"),
)
def latest(call: Call) -> list[dict[str, Any]]:
    return reconciliation_run.latest()
