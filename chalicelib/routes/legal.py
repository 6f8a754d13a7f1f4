"""The contract and the consent: reading, signing, signed copies, withdrawal."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chalice import Blueprint, Response

from chalicelib import roles
from chalicelib.web.access import SIGNED_IN, role
from chalicelib.web.routing import Call, Endpoints
from chalicelib.web.schema import Obj, Str

bp = Blueprint(__name__)
api = Endpoints(bp, "legal")
PATIENT = role(roles.PATIENT)

DOCUMENT = {
    "type": "object",
    "required": ["kind", "version", "title", "html", "sha256"],
    "properties": {
        "kind": {"type": "string", "enum": ["contract", "consent"]},
        "version": {"type": "string"},
        "title": {"type": "string"},
        "html": {"type": "string"},
        "sha256": {"type": "string"},
        "signed": {"type": "boolean"},
    },
}
SIGNATURE = {
    "type": "object",
    "required": ["id", "kind", "version", "sha256", "signed_at"],
    "properties": {
        "id": {"type": "string"},
        "kind": {"type": "string", "enum": ["contract", "consent"]},
        "version": {"type": "string"},
        "title": {"type": "string"},
        "sha256": {"type": "string"},
        "signed_at": {"type": "string"},
        "ip": {"type": "string", "nullable": True},
        "user_agent": {"type": "string", "nullable": True},
        "withdrawn_at": {"type": "string", "nullable": True},
        "in_force": {"type": "boolean"},
        "withdrawable": {"type": "boolean"},
        "html": {"type": "string"},
    },
}


@api.get(
    "/legal-documents",
    access=SIGNED_IN,
    summary="The contract and consent in force, as this person reads them",
    response={"type": "array", "items": DOCUMENT},
    errors=("not_signed_in",),
)
def legal_documents(call: Call) -> list[dict[str, Any]]:
    from chalicelib.legal import consents

    return consents.in_force(call.principal)


@api.post(
    "/consents",
    access=PATIENT,
    summary="Sign the version in force of a document",
    ok=201,
    body=Obj(
        fields={
            "kind": Str(choices=("contract", "consent")),
            "version": Str(max_len=20),
            "sha256": Str(min_len=64, max_len=64),
        }
    ),
    response=SIGNATURE,
    errors=("not_signed_in", "forbidden", "document_outdated", "document_changed", "conflict"),
)
def sign(call: Call) -> dict[str, Any]:
    from chalicelib.legal import consents

    return consents.sign(
        call.principal, call.body["kind"], call.body["version"], call.body["sha256"], call.ip, call.user_agent
    )


@api.get(
    "/consents",
    access=PATIENT,
    summary="Signed copies",
    response={"type": "array", "items": SIGNATURE},
    errors=("not_signed_in", "forbidden"),
)
def signed(call: Call) -> list[dict[str, Any]]:
    from chalicelib.legal import consents

    return consents.signed(call.principal)


@api.get(
    "/consents/{consent_id}",
    access=PATIENT,
    summary="One signed copy with its text",
    response=SIGNATURE,
    errors=("not_signed_in", "forbidden", "not_found"),
)
def signed_copy(call: Call, consent_id: str) -> dict[str, Any]:
    from chalicelib.legal import consents

    return consents.signed_copy(call.principal, consent_id)


@api.get(
    "/consents/{consent_id}/pdf",
    access=PATIENT,
    summary="One signed copy as PDF",
    response={"type": "string", "format": "binary"},
    response_type="application/pdf",
    errors=("not_signed_in", "forbidden", "not_found"),
)
def signed_copy_pdf(call: Call, consent_id: str) -> Response:
    from chalicelib.legal import consents

    filename, data = consents.signed_copy_pdf(call.principal, consent_id)
    return Response(
        body=data,
        status_code=200,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        },
    )


@api.post(
    "/consents/{consent_id}/withdraw",
    access=PATIENT,
    summary="Withdraw a consent (recorded; new bookings stop until a new signature)",
    response=SIGNATURE,
    errors=("not_signed_in", "forbidden", "not_found", "not_withdrawable", "conflict"),
)
def withdraw(call: Call, consent_id: str) -> dict[str, Any]:
    from chalicelib.legal import consents

    return consents.withdraw(call.principal, consent_id, call.ip)
