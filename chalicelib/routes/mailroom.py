"""Mail the staff must see: incoming messages kept aside for the registry, outgoing messages that failed."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import outbox, roles
from chalicelib.documents import inbound
from chalicelib.web.access import role
from chalicelib.web.routing import Call, Endpoints, ListOf, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "mail")
STAFF = role(roles.REGISTRAR, roles.ADMIN)
ADMIN = role(roles.ADMIN)


@api.get(
    "/inbound-mail",
    access=STAFF,
    summary="Incoming mail not attached: held (matched only by From + subject) or rejected (SES's verdicts)",
    query=Model("mail.InboundQuery"),
    response=ListOf("mail.InboundLetter"),
    errors=("not_signed_in", "forbidden"),
)
def inbound_mail(call: Call) -> list[dict[str, Any]]:
    return inbound.held(call.query.get("status") or "held")


@api.get(
    "/outbox/failed",
    access=ADMIN,
    summary="Emails that will not be sent, with the reason",
    response=ListOf("mail.FailedMail"),
    errors=("not_signed_in", "forbidden"),
)
def failed_mail(call: Call) -> list[dict[str, Any]]:
    return outbox.failed()
