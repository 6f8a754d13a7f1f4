"""Documents for a consultation: presigned uploads, the check after upload, the list with download links."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.web.access import SIGNED_IN, role
from chalicelib.web.routing import Call, Endpoints
from chalicelib.web.schema import Int, Obj, Str

bp = Blueprint(__name__)
api = Endpoints(bp, "documents")
PATIENT = role(roles.PATIENT)
ATTACHMENT = {
    "type": "object",
    "required": ["id", "filename", "content_type", "size", "status"],
    "properties": {
        "id": {"type": "string"},
        "filename": {"type": "string"},
        "content_type": {"type": "string"},
        "size": {"type": "integer"},
        "status": {"type": "string", "enum": ["pending", "ready", "rejected"]},
        "source": {"type": "string", "enum": ["cabinet", "email"]},
        "reason": {"type": "string", "nullable": True},
        "uploaded_at": {"type": "string"},
        "download_url": {"type": "string"},
    },
}


@api.post(
    "/bookings/{booking_id}/attachments",
    access=PATIENT,
    summary="A presigned S3 POST for one file (PDF/JPEG/PNG, ≤ 20 MB, ≤ 10 a booking)",
    ok=201,
    body=Obj(
        fields={
            "filename": Str(max_len=255),
            "content_type": Str(max_len=100),
            "size": Int(minimum=1, maximum=1024 * 1024 * 1024),
        }
    ),
    response={
        "type": "object",
        "required": ["attachment_id", "url", "fields"],
        "properties": {
            "attachment_id": {"type": "string"},
            "url": {"type": "string"},
            # Open on purpose: S3's form fields, posted back as they are; their names
            # are S3's and vary with the credentials (a session token, the policy).
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "S3's form fields, to post back unchanged (open: S3 names them)",
            },
            "max_size": {"type": "integer"},
        },
    },
    errors=("not_signed_in", "forbidden", "not_found", "too_many_files", "uploads_closed"),
)
def start_upload(call: Call, booking_id: str) -> dict[str, Any]:
    from chalicelib.documents import uploads

    return uploads.start_upload(call.principal, booking_id, **call.body)


@api.post(
    "/bookings/{booking_id}/attachments/{attachment_id}/complete",
    access=PATIENT,
    summary="After the upload, once: keep a copy of the checked bytes if they are what they claim, else remove",
    response=ATTACHMENT,
    errors=("not_signed_in", "forbidden", "not_found", "file_rejected", "upload_completed"),
)
def complete_upload(call: Call, booking_id: str, attachment_id: str) -> dict[str, Any]:
    from chalicelib.documents import uploads

    return uploads.complete(call.principal, booking_id, attachment_id)


@api.get(
    "/bookings/{booking_id}/attachments",
    access=SIGNED_IN,
    summary="The booking's documents with 5-minute download links (its patient, its doctor)",
    response={"type": "array", "items": ATTACHMENT},
    errors=("not_signed_in", "not_found"),
)
def attachments(call: Call, booking_id: str) -> list[dict[str, Any]]:
    from chalicelib.documents import uploads

    return uploads.listing(call.principal, booking_id, call.ip, call.user_agent)
