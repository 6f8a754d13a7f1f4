"""What the retention schedule finds past its term, and its deletes: every one conditional on the item being as it
was when found (chalicelib/retention.py decides what is past its term; this module only reads and deletes).

Where a table has an index that orders by time, a Query finds the items; where it has none, a paged Scan with a
small page does, and says why next to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws, resources
from chalicelib.errors import Unavailable
from chalicelib.storage.access import delete_if, get_or_none
from chalicelib.storage.errors import store_errors
from chalicelib.storage.tables import (
    Attachment,
    AuditEntry,
    Booking,
    Conclusion,
    Consent,
    DocumentsAddress,
    RegistrationRequest,
    Room,
)

PAGE = 100  # items per read: a nightly job has time, and a small page keeps each read's cost small
S3_DELETE_BATCH = 1000  # DeleteObjects' limit


# Registration requests: the by_status index is sorted by created_at, so each status is one Query. ----------------


def requests_made_before(status: str, cutoff: str) -> Iterator[RegistrationRequest]:
    with store_errors():
        yield from RegistrationRequest.by_status.query(status, RegistrationRequest.created_at < cutoff, page_size=PAGE)


def delete_request(request: RegistrationRequest) -> bool:
    """Deleted only if still in the status it was found in (a request handled meanwhile is not touched)."""
    return delete_if(
        request,
        (RegistrationRequest.status == request.status) & (RegistrationRequest.created_at == request.created_at),
    )


# Audit: partitioned by the clinic's day, so a day is one Query. -------------------------------------------------


def audit_day(day: str) -> list[AuditEntry]:
    with store_errors():
        return list(AuditEntry.query(day, page_size=PAGE, attributes_to_get=["day", "at_id"]))


def delete_audit_entries(entries: list[AuditEntry]) -> int:
    """A batch write without conditions: audit entries are never changed after they are written (every function
    but this job may only append), so what was found is what is deleted."""
    with store_errors(), AuditEntry.batch_write() as batch:
        for entry in entries:
            batch.delete(entry)
    return len(entries)


def append_audit(day: str, at_id: str, **values: Any) -> None:
    with store_errors():
        AuditEntry(day, at_id, **values).save(condition=AuditEntry.at_id.does_not_exist())


# Medical records: bookings and what hangs on them, by patient. ---------------------------------------------------


def patients_with_visits_before(cutoff: str) -> Iterator[str]:
    """Patients with a booking that started before `cutoff`.

    A paged Scan (PAGE items a read, only the patient's id and start fetched): no index orders bookings by time
    across patients (by_patient and by_doctor are per person). Once a night it reads the table once — about 1 KB a
    booking, so a few dollars a year at 100,000 bookings; if the table grows far beyond, an index on the month of
    the start would make this a Query per month."""
    seen: set[str] = set()
    with store_errors():
        for booking in Booking.scan(
            Booking.starts_at < cutoff, page_size=PAGE, attributes_to_get=["booking_id", "patient_id", "starts_at"]
        ):
            if booking.patient_id not in seen:
                seen.add(booking.patient_id)
                yield booking.patient_id


def last_visit(patient_id: str) -> str | None:
    """The start of the patient's latest booking, whatever its status (a booking ahead counts: it is the last)."""
    with store_errors():
        for booking in Booking.by_patient.query(patient_id, scan_index_forward=False, limit=1, page_size=1):
            return booking.starts_at
    return None


def patient_bookings(patient_id: str) -> list[Booking]:
    with store_errors():
        return list(Booking.by_patient.query(patient_id, page_size=PAGE))


def fresh_booking(booking_id: str) -> Booking | None:
    return get_or_none(Booking, booking_id)


def conclusion_of(booking_id: str) -> Conclusion | None:
    return get_or_none(Conclusion, booking_id)


def attachments_of(booking_id: str) -> list[Attachment]:
    with store_errors():
        return list(Attachment.query(booking_id, page_size=PAGE))


def room_of(room_id: str) -> Room | None:
    return get_or_none(Room, room_id)


def patient_consents(patient_id: str) -> list[Consent]:
    with store_errors():
        return list(Consent.by_user.query(patient_id, page_size=PAGE))


def delete_conclusion(conclusion: Conclusion) -> bool:
    return delete_if(conclusion, Conclusion.updated_at == conclusion.updated_at)


def delete_attachment(attachment: Attachment) -> bool:
    return delete_if(attachment, (Attachment.status == attachment.status) & (Attachment.s3_key == attachment.s3_key))


def delete_room(room: Room) -> bool:
    return delete_if(room, (Room.status == room.status) & (Room.token_hash == room.token_hash))


def delete_documents_address(token_hash: str, booking_id: str) -> bool:
    """The booking's own mail address, found by its token's hash; only if it is this booking's."""
    address = get_or_none(DocumentsAddress, token_hash)
    return address is not None and delete_if(address, DocumentsAddress.booking_id == booking_id)


def delete_booking(booking: Booking, cutoff: str) -> bool:
    """Deleted only if unchanged since found and its consultation started before `cutoff` (never one ahead)."""
    return delete_if(booking, (Booking.updated_at == booking.updated_at) & (Booking.starts_at < cutoff))


def delete_consent(consent: Consent, cutoff: str) -> bool:
    """Deleted only if signed before `cutoff` and its withdrawal (if any) is the one found."""
    unchanged = (
        Consent.withdrawn_at == consent.withdrawn_at if consent.withdrawn_at else Consent.withdrawn_at.does_not_exist()
    )
    return delete_if(consent, (Consent.signed_at < cutoff) & unchanged)


# S3: the documents bucket is versioned, so deleting is deleting every version (a plain delete would only hide). ---


def versions_before(prefix: str, cutoff: dt.datetime | None) -> list[dict[str, str]]:
    """Every version and delete marker under `prefix` last modified before `cutoff` (a newer one is kept; no
    cutoff: all of them)."""
    found: list[dict[str, str]] = []
    try:
        pages = aws.s3().get_paginator("list_object_versions")
        for page in pages.paginate(Bucket=resources.documents_bucket(), Prefix=prefix):
            for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                if cutoff is None or version["LastModified"] < cutoff:
                    found.append({"Key": version["Key"], "VersionId": version["VersionId"]})
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable(f"s3: listing {prefix}") from exc
    return found


def versions_of(key: str) -> list[dict[str, str]]:
    """Every version and delete marker of one object."""
    return [v for v in versions_before(key, None) if v["Key"] == key]


def delete_versions(versions: list[dict[str, str]]) -> int:
    """Delete these versions for good; the number of objects (keys) they were.

    Objects under the short-lived prefixes are written once and never changed, so the versions found are the
    ones deleted (a version written after the listing has its own id and is not in the list)."""
    try:
        for start in range(0, len(versions), S3_DELETE_BATCH):
            chunk = versions[start : start + S3_DELETE_BATCH]
            answer = aws.s3().delete_objects(
                Bucket=resources.documents_bucket(), Delete={"Objects": chunk, "Quiet": True}
            )
            if answer.get("Errors"):
                raise Unavailable(f"s3: {len(answer['Errors'])} versions not deleted")
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("s3: deleting versions") from exc
    return len({v["Key"] for v in versions})
