"""The conclusion: drafts, «Подписать и отправить», the signed PDF, verification; signing keys; the audit log."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import audit, roles
from chalicelib.conclusions import service
from chalicelib.conclusions.keys import create_signing_key
from chalicelib.signing.verify import verify as check
from chalicelib.web.access import ANYONE, SIGNED_IN, role
from chalicelib.web.downloads import pdf_download
from chalicelib.web.routing import Call, Endpoints, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "conclusions")
DOCTOR = role(roles.DOCTOR)
ADMIN = role(roles.ADMIN)


@api.get(
    "/bookings/{booking_id}/conclusion",
    access=DOCTOR,
    summary="The conclusion (draft or signed)",
    response=Model("conclusions.Conclusion"),
    errors=("not_signed_in", "forbidden", "not_found"),
)
def conclusion(call: Call, booking_id: str) -> dict[str, Any]:
    return service.draft(call.principal, booking_id, call.ip, call.user_agent)


@api.put(
    "/bookings/{booking_id}/conclusion",
    access=DOCTOR,
    summary="Save the draft (autosave)",
    body=Model("conclusions.ConclusionText"),
    response=Model("conclusions.Conclusion"),
    errors=("not_signed_in", "forbidden", "not_found", "conclusion_not_ready", "conclusion_signed"),
)
def save_draft(call: Call, booking_id: str) -> dict[str, Any]:
    return service.save_draft(call.principal, booking_id, call.body)


@api.post(
    "/bookings/{booking_id}/conclusion",
    access=DOCTOR,
    summary="Sign with the doctor's KMS key and email the PDF; the booking becomes completed",
    ok=201,
    body=Model("conclusions.ConclusionText"),
    response=Model("conclusions.Conclusion"),
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
    return pdf_download(*service.pdf_for(call.principal, booking_id, call.ip, call.user_agent))


@api.post(
    "/conclusions/verify",
    access=ANYONE,
    summary="Check a conclusion's signature (the PDF as the body)",
    content_types=("application/pdf", "application/octet-stream"),
    response=Model("conclusions.Verification"),
    errors=("payload_too_large",),
)
def verify(call: Call) -> dict[str, Any]:
    return check(call.raw_body())


@api.post(
    "/doctors/{doctor_id}/signing-key",
    access=ADMIN,
    summary="Create the doctor's signing key in KMS and its certificate (admin)",
    ok=201,
    response=Model("conclusions.SigningKey"),
    errors=("not_signed_in", "forbidden", "not_found", "conflict"),
)
def signing_key(call: Call, doctor_id: str) -> dict[str, Any]:
    return create_signing_key(call.principal, doctor_id)


@api.get(
    "/audit",
    access=ADMIN,
    summary="Reads of medical data by anyone but its patient: one day, newest first, a page at a time",
    query=Model("audit.AuditQuery"),
    response=Model("audit.AuditPage"),
    errors=("not_signed_in", "forbidden"),
)
def audit_log(call: Call) -> dict[str, Any]:
    return audit.entries(call.query.get("date"), call.query.get("next"), call.query.get("limit"))
