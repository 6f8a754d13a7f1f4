"""The conclusion: drafts, «Подписать и отправить», the signed PDF, verification; signing keys; the audit log."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chalice import Blueprint, Response

from chalicelib import roles
from chalicelib.web.access import ANYONE, SIGNED_IN, role
from chalicelib.web.routing import Call, Endpoints
from chalicelib.web.schema import Int, Obj, Str

bp = Blueprint(__name__)
api = Endpoints(bp, "conclusions")
DOCTOR = role(roles.DOCTOR)
ADMIN = role(roles.ADMIN)
TEXT = Str(required=False, max_len=20000, strip=False)
BODY = Obj(
    fields={"complaints": TEXT, "anamnesis": TEXT, "examination": TEXT, "conclusion": TEXT, "recommendations": TEXT}
)
CONCLUSION = {
    "type": "object",
    "required": ["booking_id", "status"],
    "properties": {
        "booking_id": {"type": "string"},
        "status": {"type": "string", "enum": ["empty", "draft", "signed"]},
        **{
            name: {"type": "string"}
            for name in ("complaints", "anamnesis", "examination", "conclusion", "recommendations")
        },
        "updated_at": {"type": "string", "nullable": True},
        "signed_at": {"type": "string", "nullable": True},
        "certificate_serial": {"type": "string", "nullable": True},
        "last_error": {"type": "string", "nullable": True},
    },
}
VERIFICATION = {
    "type": "object",
    "required": ["valid"],
    "properties": {
        "valid": {"type": "boolean"},
        "intact": {"type": "boolean"},
        "trusted": {"type": "boolean"},
        "signer": {"type": "string", "nullable": True},
        "organization": {"type": "string", "nullable": True},
        "signed_at": {"type": "string", "nullable": True},
        "booking": {"type": "string", "nullable": True},
        "certificate_serial": {"type": "string", "nullable": True},
        "reason": {
            "type": "string",
            "enum": ["unreadable", "unsigned", "damaged"],
            "description": "why it is not valid, when it could not be checked",
        },
    },
}
AUDIT_ENTRY = {
    "type": "object",
    "required": ["at", "actor_id", "actor_name", "actor_roles", "action", "target_type", "target_id"],
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "actor_id": {"type": "string"},
        "actor_name": {"type": "string", "nullable": True},
        "actor_roles": {"type": "array", "items": {"type": "string"}},
        "action": {"type": "string"},
        "target_type": {"type": "string"},
        "target_id": {"type": "string"},
        "patient_id": {"type": "string", "nullable": True},
        "ip": {"type": "string", "nullable": True},
        "user_agent": {"type": "string", "nullable": True},
    },
}


@api.get(
    "/bookings/{booking_id}/conclusion",
    access=DOCTOR,
    summary="The conclusion (draft or signed)",
    response=CONCLUSION,
    errors=("not_signed_in", "forbidden", "not_found"),
)
def conclusion(call: Call, booking_id: str) -> dict[str, Any]:
    from chalicelib.conclusions import service

    return service.draft(call.principal, booking_id, call.ip, call.user_agent)


@api.put(
    "/bookings/{booking_id}/conclusion",
    access=DOCTOR,
    summary="Save the draft (autosave)",
    body=BODY,
    response=CONCLUSION,
    errors=("not_signed_in", "forbidden", "not_found", "conclusion_not_ready", "conclusion_signed"),
)
def save_draft(call: Call, booking_id: str) -> dict[str, Any]:
    from chalicelib.conclusions import service

    return service.save_draft(call.principal, booking_id, call.body)


@api.post(
    "/bookings/{booking_id}/conclusion",
    access=DOCTOR,
    summary="Sign with the doctor's KMS key and email the PDF; the booking becomes completed",
    ok=201,
    body=BODY,
    response=CONCLUSION,
    errors=(
        "not_signed_in",
        "forbidden",
        "not_found",
        "conclusion_not_ready",
        "conclusion_signed",
        "signing_failed",
        "no_signing_key",
        "conclusion_empty",
    ),
)
def sign(call: Call, booking_id: str) -> dict[str, Any]:
    from chalicelib.conclusions import service

    return service.sign_and_send(call.principal, booking_id, call.body)


@api.get(
    "/bookings/{booking_id}/conclusion/pdf",
    access=SIGNED_IN,
    summary="The signed PDF (its patient, its doctor)",
    response={"type": "string", "format": "binary"},
    response_type="application/pdf",
    errors=("not_signed_in", "not_found"),
)
def conclusion_pdf(call: Call, booking_id: str) -> Response:
    from chalicelib.conclusions import service

    filename, data = service.pdf_for(call.principal, booking_id, call.ip, call.user_agent)
    return Response(
        body=data,
        status_code=200,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        },
    )


@api.post(
    "/conclusions/verify",
    access=ANYONE,
    summary="Check a conclusion's signature (the PDF as the body)",
    content_types=("application/pdf", "application/octet-stream"),
    response=VERIFICATION,
    errors=("payload_too_large",),
)
def verify(call: Call) -> dict[str, Any]:
    from chalicelib.signing.verify import verify as check

    return check(call.raw_body())


@api.post(
    "/doctors/{doctor_id}/signing-key",
    access=ADMIN,
    summary="Create the doctor's signing key in KMS and its certificate (admin)",
    ok=201,
    response={
        "type": "object",
        "required": ["doctor_id", "certificate_serial"],
        "properties": {
            "doctor_id": {"type": "string"},
            "certificate_serial": {"type": "string", "description": "hex, as in the PDF"},
        },
    },
    errors=("not_signed_in", "forbidden", "not_found", "conflict"),
)
def signing_key(call: Call, doctor_id: str) -> dict[str, Any]:
    from chalicelib.conclusions.keys import create_signing_key

    return create_signing_key(call.principal, doctor_id)


@api.get(
    "/audit",
    access=ADMIN,
    summary="Reads of medical data by anyone but its patient: one day, newest first, a page at a time",
    query=Obj(
        fields={
            "date": Str(required=False, format="date"),
            "next": Str(required=False, max_len=400, description="the `next` of the page before"),
            "limit": Int(required=False, minimum=1, maximum=500, description="entries per page (100 by default)"),
        }
    ),
    response={
        "type": "object",
        "required": ["entries", "next"],
        "additionalProperties": False,
        "properties": {
            "entries": {"type": "array", "items": AUDIT_ENTRY},
            "next": {"type": "string", "nullable": True, "description": "opaque; null after the last page"},
        },
    },
    errors=("not_signed_in", "forbidden"),
)
def audit_log(call: Call) -> dict[str, Any]:
    from chalicelib import audit

    return audit.entries(call.query.get("date"), call.query.get("next"), call.query.get("limit"))
