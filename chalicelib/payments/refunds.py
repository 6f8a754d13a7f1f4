"""Refunds: of a cancelled booking (the rule itself is booking.rules'), staff refunds, late payments, no-shows."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from chalicelib import outbox
from chalicelib.booking import rules
from chalicelib.booking.mails import refund_mail
from chalicelib.clock import now
from chalicelib.logs import log_event
from chalicelib.payments import gateway, receipts
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import payments as store
from chalicelib.storage.errors import AlreadyStored
from chalicelib.storage.records import Booking

# Statuses from which a booking's own payment may be refunded.
REFUNDABLE = (rules.PAID, rules.IN_PROGRESS, rules.NO_SHOW_DOCTOR, rules.CANCELLED)


def _create_refund(payment_id: str, value: str, key: str, booking: Booking) -> dict[str, Any]:
    receipt = receipts.refund_receipt(booking, payment_id)  # 54-FZ: the return of what the payment's receipt said
    return gateway.create_refund(
        {"payment_id": payment_id, "amount": {"value": value, "currency": "RUB"}, "receipt": receipt}, key
    )


def _refund_receipt(booking: Booking, refund: dict[str, Any], at: str) -> dict[str, Any]:
    """The refund's receipt as the booking keeps it."""
    status = receipts.registration(refund.get("receipt_registration"))
    return receipts.entry(receipts.REFUND, status, at, booking)


# A booking that never took a payment and is in one of these statuses records a late payment's refund.
LATE_RECORDABLE = (*rules.UNPAID, rules.EXPIRED, rules.CANCELLED)


def refunded_in_full(payment: dict[str, Any]) -> bool:
    """YooKassa's own word (the payment as fetched): all of this payment went back already."""
    refunded = (payment.get("refunded_amount") or {}).get("value")
    return refunded is not None and Decimal(str(refunded)) >= Decimal(str(payment["amount"]["value"]))


def refund_unusable_payment(booking: Booking, payment: dict[str, Any]) -> dict[str, str]:
    """Money that arrived when its slot was gone (or for a booking that no longer wants it): back, and say so.

    Never for the booking's own applied payment (the caller checks), never twice: YooKassa's payment says
    whether it was refunded, the refund's idempotence key is the payment's, the email's id is the payment's.
    """
    payment_id = str(payment["id"])
    # Only a booking that never took a payment changes (to `refunded`); one that did keeps its own story.
    records = booking.paid_at is None and booking.status in LATE_RECORDABLE
    if refunded_in_full(payment) and not (records and booking.refund_id is None):
        log_event("late_payment_already_refunded", booking_id=booking.booking_id, payment_id=payment_id)
        return {"result": "already_refunded"}
    refund = _create_refund(payment_id, str(payment["amount"]["value"]), f"late-{payment_id}", booking)
    at = now().isoformat()
    mail = refund_mail(booking, "late_payment", payment["amount"]["value"])
    mail.message_id = uuid.uuid5(uuid.NAMESPACE_URL, f"late-refund:{payment_id}").hex  # one email per payment
    if records:
        try:
            store.record_refund(
                booking,
                refund_id=str(refund["id"]),
                refund_status=str(refund.get("status")),
                reason="late_payment",
                new_status=rules.REFUNDED,
                at=at,
                from_statuses=LATE_RECORDABLE,
                mail=mail,
                free_slot=False,
                receipts=[
                    receipts.entry(
                        receipts.PREPAYMENT, receipts.registration(payment.get("receipt_registration")), at, booking
                    ),
                    _refund_receipt(booking, refund, at),
                ],
            )
        except store.AlreadyApplied:
            return {"result": "late_refund_already_recorded"}
        store.release_allowance(booking)
        outbox.deliver(mail.message_id)
    else:
        # Another payment for a booking that took one already: the booking stays as it is; the patient is told.
        try:
            outbox.send_now(mail)
        except AlreadyStored:
            return {"result": "already_refunded"}  # a concurrent delivery of the same notification did it
    log_event("late_payment_refunded", booking_id=booking.booking_id, payment_id=payment_id)
    return {"result": "refunded_late_payment"}


def refund_booking(booking: Booking, reason: str, new_status: str, *, free_slot: bool) -> Booking:
    """Refund the booking's payment in full (idempotently) and record it with one email."""
    value = f"{int(booking.price)}.00"
    refund = _create_refund(str(booking.payment_id), value, f"refund-{booking.booking_id}", booking)
    mail = refund_mail(booking, reason, value)
    at = now().isoformat()
    receipt = _refund_receipt(booking, refund, at)
    # A refund receipt YooKassa is still registering: followed until it is (deliver_due).
    job = receipts.status_job(booking, receipts.REFUND, at) if receipt["status"] == "pending" else None
    try:
        store.record_refund(
            booking,
            refund_id=str(refund["id"]),
            refund_status=str(refund.get("status")),
            reason=reason,
            new_status=new_status,
            at=at,
            from_statuses=REFUNDABLE,
            mail=mail,
            free_slot=free_slot,
            receipts=[receipt],
            receipt_job=job,
        )
    except store.SlotLost:
        store.record_refund(
            booking,
            refund_id=str(refund["id"]),
            refund_status=str(refund.get("status")),
            reason=reason,
            new_status=new_status,
            at=at,
            from_statuses=REFUNDABLE,
            mail=mail,
            free_slot=False,
            receipts=[receipt],
            receipt_job=job,
        )
    outbox.deliver(mail.message_id)
    log_event("booking_refunded", booking_id=booking.booking_id, reason=reason)
    return booking_store.get_booking(booking.booking_id) or booking
