"""Routes of the local stage only: the outbox of sent emails."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.devtools import outbox as store
from chalicelib.web.access import ANYONE
from chalicelib.web.routing import Call, Endpoints, ListOf

bp = Blueprint(__name__)
api = Endpoints(bp, "dev")


@api.get(
    "/dev/outbox",
    access=ANYONE,
    summary="Emails sent through SES (local stage only)",
    response=ListOf("mail.SentMail"),
)
def outbox(call: Call) -> list[dict[str, Any]]:
    return store.messages()
