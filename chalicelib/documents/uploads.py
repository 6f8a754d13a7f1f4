"""Uploads from the cabinet: a presigned S3 POST with the size limit in its policy, then a check of the bytes.

The form writes one key under `uploads/` and stays in the patient's hands until it expires, so whatever sits
under that key may change after the check. `/complete` therefore copies exactly the checked object (by its
ETag) to a key of its own under `attachments/`, which no form can write, and only that key is ever served.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any, NoReturn
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import audit, aws, resources
from chalicelib.accounts.sessions import Principal
from chalicelib.booking import access, rules
from chalicelib.clock import now
from chalicelib.documents.files import MAX_PER_BOOKING, MAX_SIZE, TYPES, safe_filename, sniff
from chalicelib.errors import DomainError, NotFound, Unavailable, ValidationFailed
from chalicelib.i18n import t
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import documents as store
from chalicelib.storage.records import Attachment, Booking

ACCEPTING = (rules.PAID, rules.IN_PROGRESS)
# The browser posts right after asking for the form; S3 checks a signature's expiry when the request
# starts, so a slow 20 MB transfer (about 21 minutes at 128 kbit/s) begun in time still completes.
UPLOAD_WINDOW_S = 300
DOWNLOAD_LINK_S = 300
UPLOADS_PREFIX = "uploads/"
SERVED_PREFIX = "attachments/"


class TooManyFiles(DomainError):
    code = "too_many_files"


class FileRejected(DomainError):
    code = "file_rejected"


class UploadsClosed(DomainError):
    code = "uploads_closed"


class UploadCompleted(DomainError):
    """/complete for a file already checked (kept or refused): its outcome stands."""

    code = "upload_completed"


def _own_booking(principal: Principal, booking_id: str) -> Booking:
    booking = booking_store.get_booking(booking_id)
    if booking is None or not access.may_attach(principal, booking):
        raise NotFound("booking")
    return booking


def new_attachment(
    booking: Booking, filename: str, content_type: str, size: int, source: str, status: str = "pending"
) -> Attachment:
    """A new record; `s3_key` is where its bytes are: a cabinet file's upload key until it is checked."""
    attachment_id = uuid.uuid4().hex
    prefix = UPLOADS_PREFIX if source == "cabinet" else SERVED_PREFIX
    return store.new_attachment(
        booking.booking_id,
        attachment_id,
        patient_id=booking.patient_id,
        filename=safe_filename(filename),
        content_type=content_type,
        size=size,
        s3_key=f"{prefix}{booking.booking_id}/{attachment_id}",
        status=status,
        source=source,
        created_at=now().isoformat(),
    )


def reserve(booking: Booking, attachment: Attachment) -> None:
    """Count the file against the booking's ten and record it: one transaction."""
    if store.add_attachment(booking, attachment, MAX_PER_BOOKING):
        raise TooManyFiles(limit=MAX_PER_BOOKING)


def start_upload(principal: Principal, booking_id: str, filename: str, content_type: str, size: int) -> dict[str, Any]:
    booking = _own_booking(principal, booking_id)
    if booking.status not in ACCEPTING:
        raise UploadsClosed()
    if content_type not in TYPES:
        raise ValidationFailed("type", fields={"content_type": t("documents.wrong_type")})
    if size <= 0 or size > MAX_SIZE:
        raise ValidationFailed("size", fields={"size": t("documents.too_big", mb=MAX_SIZE // (1024 * 1024))})
    attachment = new_attachment(booking, filename, content_type, size, "cabinet")
    reserve(booking, attachment)
    try:
        post = aws.s3().generate_presigned_post(
            Bucket=resources.documents_bucket(),
            Key=attachment.s3_key,
            Fields={
                "Content-Type": content_type,
                "x-amz-server-side-encryption": "aws:kms",
                "x-amz-server-side-encryption-aws-kms-key-id": resources.data_key_alias(),
            },
            Conditions=[
                ["content-length-range", 1, size],
                {"Content-Type": content_type},
                {"x-amz-server-side-encryption": "aws:kms"},
                {"x-amz-server-side-encryption-aws-kms-key-id": resources.data_key_alias()},
            ],
            ExpiresIn=UPLOAD_WINDOW_S,
        )
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("s3") from exc
    return {"attachment_id": attachment.attachment_id, "url": post["url"], "fields": post["fields"], "max_size": size}


def _get(booking_id: str, attachment_id: str) -> Attachment | None:
    return store.get_attachment(booking_id, attachment_id)


def check_stored(attachment: Attachment) -> tuple[str | None, str, int]:
    """Look at the uploaded bytes: (None when acceptable else the reason, the object's ETag, its size)."""
    try:
        head = aws.s3().get_object(Bucket=resources.documents_bucket(), Key=attachment.s3_key, Range="bytes=0-15")
        first = head["Body"].read()
        size = int(head.get("ContentRange", "/0").split("/")[-1] or 0) or len(first)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound", "InvalidRange"):
            return "missing", "", 0
        raise Unavailable("s3") from exc
    except BotoCoreError as exc:
        raise Unavailable("s3") from exc
    real = sniff(first)
    reason = None
    if real is None:
        reason = "not_a_document"
    elif real != attachment.content_type:
        reason = "type_mismatch"
    elif size > MAX_SIZE:
        reason = "too_big"
    return reason, head["ETag"], size


def _keep_checked(attachment: Attachment, etag: str) -> str | None:
    """Copy exactly the checked object (same ETag) to a new key under attachments/; None if it changed meanwhile."""
    bucket = resources.documents_bucket()
    final_key = f"{SERVED_PREFIX}{attachment.booking_id}/{attachment.attachment_id}/{uuid.uuid4().hex}"
    try:
        aws.s3().copy_object(
            Bucket=bucket,
            Key=final_key,
            CopySource={"Bucket": bucket, "Key": attachment.s3_key},
            CopySourceIfMatch=etag,
            MetadataDirective="REPLACE",
            ContentType=attachment.content_type,
            ContentDisposition="attachment",
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=resources.data_key_alias(),
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412", "NoSuchKey", "404"):
            return None
        raise Unavailable("s3") from exc
    except BotoCoreError as exc:
        raise Unavailable("s3") from exc
    return final_key


def _remove(key: str) -> None:
    """Best effort: what is left is never served (only keys recorded as ready are)."""
    with contextlib.suppress(BotoCoreError, ClientError):
        aws.s3().delete_object(Bucket=resources.documents_bucket(), Key=key)


def _reject(booking: Booking, attachment: Attachment, reason: str) -> NoReturn:
    """Refused: the record and the booking's count in one transaction, only while the file is pending."""
    if not store.reject_pending(booking, attachment, reason):
        raise UploadCompleted()
    _remove(attachment.s3_key)
    raise FileRejected(name=attachment.filename, why=t(f"documents.reasons.{reason}"))


def complete(principal: Principal, booking_id: str, attachment_id: str) -> dict[str, Any]:
    """After the browser's upload: keep the file if its bytes are a PDF/JPEG/PNG as declared; else remove it.

    Once: a file already kept or refused is answered 409, and a form used again changes nothing served."""
    booking = _own_booking(principal, booking_id)
    attachment = _get(booking_id, attachment_id)
    if attachment is None:
        raise NotFound("attachment")
    if attachment.status != "pending" or not attachment.s3_key.startswith(UPLOADS_PREFIX):
        raise UploadCompleted()
    upload_key = attachment.s3_key
    reason, etag, size = check_stored(attachment)
    final_key = None if reason else _keep_checked(attachment, etag)
    if final_key is None:
        _reject(booking, attachment, reason or "changed")
    try:
        kept = store.mark_ready(attachment, upload_key, final_key, size)
    except Exception:
        _remove(final_key)  # not recorded: nothing half-written stays
        raise
    if not kept:
        _remove(final_key)
        raise UploadCompleted()
    _remove(upload_key)
    return view(attachment)


def view(attachment: Attachment, url: str | None = None) -> dict[str, Any]:
    data = {
        "id": attachment.attachment_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": int(attachment.size),
        "status": attachment.status,
        "source": attachment.source,
        "reason": attachment.reason,
        "uploaded_at": attachment.created_at,
    }
    if url:
        data["download_url"] = url
    return data


def listing(principal: Principal, booking_id: str, ip: str, user_agent: str) -> list[dict[str, Any]]:
    """The booking's documents with short-lived download links: its patient and its doctor."""
    booking = booking_store.get_booking(booking_id)
    if booking is None or not access.may_read_documents(principal, booking):
        raise NotFound("booking")
    found = store.ready_attachments(booking_id)
    audit.record(principal, "read_attachments", "booking", booking_id, booking.patient_id, ip, user_agent)
    s3 = aws.s3()
    # Only checked copies are served (never a key a form can write), as the type that was checked, to save.
    return [
        view(
            a,
            s3.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": resources.documents_bucket(),
                    "Key": a.s3_key,
                    "ResponseContentType": a.content_type,
                    "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(a.filename)}",
                },
                ExpiresIn=DOWNLOAD_LINK_S,
            ),
        )
        for a in found
        if a.s3_key.startswith(SERVED_PREFIX)
    ]
