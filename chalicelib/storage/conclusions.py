"""Conclusions: a draft the doctor rewrites until it is signed, then the signed PDF's record."""

from __future__ import annotations

from typing import Any

from chalicelib.storage import bookings
from chalicelib.storage.access import get_or_none
from chalicelib.storage.errors import store_errors
from chalicelib.storage.records import Booking, OutboxMessage
from chalicelib.storage.tables import Conclusion
from chalicelib.storage.transactions import Transaction, TransactionRefused


def get_conclusion(booking_id: str) -> Conclusion | None:
    return get_or_none(Conclusion, booking_id)


def save_draft(booking_id: str, **values: Any) -> Conclusion:
    """Write the draft whole. Never over a signed conclusion, even in a race with signing it."""
    item = Conclusion(booking_id, status="draft", **values)
    with store_errors():
        item.save(condition=Conclusion.booking_id.does_not_exist() | (Conclusion.status == "draft"))
    return item


def record_signed(
    booking: Booking,
    *,
    signed_at: str,
    pdf_key: str,
    pdf_sha256: str,
    certificate_serial: Any,
    booking_status: str,
    booking_from: tuple[str, ...],
    mail: OutboxMessage,
    receipt_job: OutboxMessage | None = None,
    receipt: dict[str, Any] | None = None,
) -> bool:
    """The draft becomes signed, the booking moves on, the email is queued: all or none. False when the
    conclusion was no longer a draft or the booking had left `booking_from`. `receipt_job`: the closing receipt's
    job (one per booking), `receipt`: its entry on the booking (pending)."""
    tx = Transaction()
    tx.update(
        "conclusion",
        Conclusion(booking.booking_id),
        [
            Conclusion.status.set("signed"),
            Conclusion.signed_at.set(signed_at),
            Conclusion.pdf_key.set(pdf_key),
            Conclusion.pdf_sha256.set(pdf_sha256),
            Conclusion.certificate_serial.set(certificate_serial),
            Conclusion.last_error.remove(),
        ],
        condition=Conclusion.status == "draft",
    )
    actions: list[Any] = [Booking.status.set(booking_status), Booking.updated_at.set(signed_at)]
    condition = Booking.status.is_in(*booking_from)
    if receipt is not None:
        receipt_actions, receipts_condition = bookings.receipt_actions(booking, [receipt])
        actions += receipt_actions
        condition &= receipts_condition
    tx.update("booking", booking, actions, condition=condition)
    tx.put("mail", mail)
    if receipt_job is not None:
        tx.put("receipt_job", receipt_job, condition=OutboxMessage.message_id.does_not_exist())
    try:
        tx.commit()
    except TransactionRefused:
        return False
    return True


def note_error(booking_id: str, code: str) -> None:
    with store_errors():
        Conclusion(booking_id).update(actions=[Conclusion.last_error.set(code)])
