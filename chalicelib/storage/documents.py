"""Patients' documents: attachments counted against their booking, the bookings' documents addresses, and each
incoming message's record."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from chalicelib.storage.access import get_or_none, save_if, update_if
from chalicelib.storage.errors import store_errors
from chalicelib.storage.records import Booking
from chalicelib.storage.tables import Attachment, DocumentsAddress, InboundMail
from chalicelib.storage.transactions import Transaction, TransactionRefused

# Attachments ---------------------------------------------------------------


def new_attachment(booking_id: str, attachment_id: str, **values: Any) -> Attachment:
    """A record not stored yet (`add_attachment` stores it)."""
    return Attachment(booking_id, attachment_id, **values)


def get_attachment(booking_id: str, attachment_id: str) -> Attachment | None:
    return get_or_none(Attachment, booking_id, attachment_id)


def ready_attachments(booking_id: str) -> list[Attachment]:
    with store_errors():
        return [a for a in Attachment.query(booking_id) if a.status == "ready"]


def add_attachment(booking: Booking, attachment: Attachment, limit: int) -> set[str]:
    """Record the attachment and count it against the booking's `limit`, in one transaction. The names of the
    refused parts: "attachment" (it exists already), "booking" (the booking has `limit`); empty when done."""
    tx = Transaction()
    tx.put("attachment", attachment, condition=Attachment.attachment_id.does_not_exist())
    tx.update(
        "booking",
        booking,
        [Booking.attachments_count.add(1)],
        condition=Booking.attachments_count.does_not_exist() | (Booking.attachments_count < limit),
    )
    try:
        tx.commit()
    except TransactionRefused as refused:
        return refused.failed
    return set()


def reject_pending(booking: Booking, attachment: Attachment, reason: str) -> bool:
    """Refused: the record and the booking's count in one transaction, only while the file is pending as it was
    read (same key); False when it no longer was."""
    tx = Transaction()
    tx.update(
        "attachment",
        attachment,
        [Attachment.status.set("rejected"), Attachment.reason.set(reason)],
        condition=(Attachment.status == "pending") & (Attachment.s3_key == attachment.s3_key),
    )
    tx.update("booking", booking, [Booking.attachments_count.add(-1)])
    try:
        tx.commit()
    except TransactionRefused:
        return False
    return True


def mark_ready(attachment: Attachment, upload_key: str, final_key: str, size: int) -> bool:
    """Pending at `upload_key` → ready at `final_key`; False when it was no longer so."""
    return update_if(
        attachment,
        [
            Attachment.status.set("ready"),
            Attachment.s3_key.set(final_key),
            Attachment.size.set(size),
            Attachment.reason.remove(),
        ],
        (Attachment.status == "pending") & (Attachment.s3_key == upload_key),
    )


def reread_booking(booking: Booking) -> None:
    """The booking as stored now (its attachment count moved under us)."""
    with store_errors():
        booking.refresh()


# Documents addresses -------------------------------------------------------


def new_documents_address(token_hash: str, booking_id: str, patient_id: str, created_at: str) -> DocumentsAddress:
    """The lookup item, not stored yet: the payment's transaction puts it (storage.payments.confirm_paid)."""
    return DocumentsAddress(token_hash, booking_id=booking_id, patient_id=patient_id, created_at=created_at)


def documents_address(token_hash: str) -> DocumentsAddress | None:
    return get_or_none(DocumentsAddress, token_hash)


# Incoming mail -------------------------------------------------------------


def claim_message(key: str, at: dt.datetime, keep_for: dt.timedelta, stale_before: str) -> InboundMail | None:
    """The message's record, taken for this run; None when it was handled already, or another run took it
    after `stale_before`."""
    record = InboundMail(key, status="processing", received_at=at.isoformat(), ttl=at + keep_for)
    claimed = save_if(
        record,
        InboundMail.message_key.does_not_exist()
        | ((InboundMail.status == "processing") & (InboundMail.received_at < stale_before)),
    )
    return record if claimed else None


def release_message(record: InboundMail) -> None:
    """Let the message be taken again (best effort: a failed run's claim also goes stale)."""
    record.delete(condition=InboundMail.status == "processing")


def finish_message(
    record: InboundMail,
    status: str,
    reason: str | None,
    sender: Any,
    subject: Any,
    files: list[str],
    booking: Booking | None,
    attached: int,
) -> None:
    actions: list[Any] = [
        InboundMail.status.set(status),
        InboundMail.sender.set(sender),
        InboundMail.subject.set(subject),
        InboundMail.files.set(json.dumps(files, ensure_ascii=False)),
        InboundMail.attached.set(attached),
    ]
    if reason:
        actions.append(InboundMail.reason.set(reason))
    if booking is not None:
        actions += [InboundMail.booking_id.set(booking.booking_id), InboundMail.patient_id.set(booking.patient_id)]
    with store_errors():
        record.update(actions=actions)


def messages_with_status(status: str, limit: int) -> list[InboundMail]:
    """Newest first."""
    with store_errors():
        return list(InboundMail.by_status.query(status, scan_index_forward=False, limit=limit))
