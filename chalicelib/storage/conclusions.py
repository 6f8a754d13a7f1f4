"""Conclusions: a draft the doctor rewrites until it is signed, then the signed PDF's record."""

from __future__ import annotations

from typing import Any

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
) -> bool:
    """The draft becomes signed, the booking moves on, the email is queued: all or none. False when the
    conclusion was no longer a draft or the booking had left `booking_from`."""
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
    tx.update(
        "booking",
        booking,
        [Booking.status.set(booking_status), Booking.updated_at.set(signed_at)],
        condition=Booking.status.is_in(*booking_from),
    )
    tx.put("mail", mail)
    try:
        tx.commit()
    except TransactionRefused:
        return False
    return True


def note_error(booking_id: str, code: str) -> None:
    with store_errors():
        Conclusion(booking_id).update(actions=[Conclusion.last_error.set(code)])
