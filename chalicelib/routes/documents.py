"""Documents for a consultation: presigned uploads, the check after upload, the list with download links."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.documents import uploads
from chalicelib.web.access import SIGNED_IN, role
from chalicelib.web.routing import Call, Endpoints, ListOf, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "documents")
PATIENT = role(roles.PATIENT)


@api.post(
    "/bookings/{booking_id}/attachments",
    access=PATIENT,
    summary="A presigned S3 POST for one file (PDF/JPEG/PNG, ≤ 20 MB, ≤ 10 a booking)",
    ok=201,
    body=Model("documents.UploadRequest"),
    response=Model("documents.UploadForm"),
    errors=("not_signed_in", "forbidden", "not_found", "too_many_files", "uploads_closed"),
)
def start_upload(call: Call, booking_id: str) -> dict[str, Any]:
    return uploads.start_upload(call.principal, booking_id, **call.body)


@api.post(
    "/bookings/{booking_id}/attachments/{attachment_id}/complete",
    access=PATIENT,
    summary="After the upload, once: keep a copy of the checked bytes if they are what they claim, else remove",
    response=Model("documents.Attachment"),
    errors=("not_signed_in", "forbidden", "not_found", "file_rejected", "upload_completed"),
)
def complete_upload(call: Call, booking_id: str, attachment_id: str) -> dict[str, Any]:
    return uploads.complete(call.principal, booking_id, attachment_id)


@api.get(
    "/bookings/{booking_id}/attachments",
    access=SIGNED_IN,
    summary="The booking's documents with 5-minute download links (its patient, its doctor)",
    response=ListOf("documents.Attachment"),
    errors=("not_signed_in", "not_found"),
)
def attachments(call: Call, booking_id: str) -> list[dict[str, Any]]:
    return uploads.listing(call.principal, booking_id, call.ip, call.user_agent)
