"""54-FZ receipts of a prepaid service, as a fiscal inspector expects them.

- At payment: the receipt of a full prepayment (`full_prepayment`), sent with the payment (YooKassa registers it).
- When the consultation is rendered (booking.rules.consultation_rendered: the conclusion signed), the closing
  receipt through YooKassa's receipts API: `full_payment` settled by the prepayment, created exactly once (its
  idempotence key is the booking's; the job is an outbox item written with the signing, retried by `deliver_due`).
- Every refund carries its refund receipt: a return of the prepayment (`full_prepayment`), or of a full payment
  once the closing receipt was issued.

YooKassa emails every receipt to the patient's address. The booking keeps each one's kind, status and time, to show.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from chalicelib.config import settings
from chalicelib.errors import Unavailable
from chalicelib.i18n import t
from chalicelib.logs import log_event
from chalicelib.payments import gateway
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import outbox as outbox_store
from chalicelib.storage.records import Booking, OutboxMessage

# The booking's receipts, by kind.
PREPAYMENT = "prepayment"
CLOSING = "closing"
REFUND = "refund"
# Outbox items that are jobs, not emails (chalicelib/outbox.py runs them): issue the closing receipt; follow a
# receipt YooKassa is still registering (pending) until it is registered or refused.
CLOSING_JOB = "closing_receipt"
STATUS_JOB = "receipt_status"
JOBS = (CLOSING_JOB, STATUS_JOB)
# YooKassa's receipt_registration / receipt status → the booking's receipt status.
STATUSES = {"succeeded": "succeeded", "canceled": "canceled"}


class ReceiptRefused(Exception):
    """YooKassa refused the receipt data: no retry changes that (the outbox marks the job failed)."""


def amount(booking: Booking) -> dict[str, str]:
    """The price from our records, never from the client: roubles with kopecks."""
    return {"value": f"{int(booking.price)}.00", "currency": "RUB"}


def _item(booking: Booking, payment_mode: str) -> dict[str, Any]:
    return {
        "description": t("payments.receipt_item", specialty=booking.specialty_name)[:128],
        "quantity": "1.00",
        "amount": amount(booking),
        "vat_code": settings().vat_code,
        "payment_subject": "service",
        "payment_mode": payment_mode,
    }


def _customer(booking: Booking) -> dict[str, str]:
    return {"email": booking.patient_email}


def prepayment_receipt(booking: Booking) -> dict[str, Any]:
    """The receipt data of the payment: the service paid for in advance, in full."""
    return {"customer": _customer(booking), "items": [_item(booking, "full_prepayment")]}


def closing_issued(booking: Booking) -> bool:
    """The closing receipt was asked for (pending) or issued: the service counts as delivered to the tax office."""
    entry = (receipts_of(booking)).get(CLOSING) or {}
    return entry.get("status") in ("pending", "succeeded")


def refund_receipt(booking: Booking, payment_id: str) -> dict[str, Any]:
    """The refund's receipt data: a return of the prepayment, or of the full payment once the closing receipt of
    this (the booking's own) payment was issued."""
    own_closed = payment_id == booking.payment_id and closing_issued(booking)
    return {
        "customer": _customer(booking),
        "items": [_item(booking, "full_payment" if own_closed else "full_prepayment")],
    }


def closing_receipt(booking: Booking) -> dict[str, Any]:
    """The closing receipt (YooKassa's POST /v3/receipts): the service rendered, settled by the prepayment."""
    return {
        "type": "payment",
        "payment_id": booking.payment_id,
        "customer": _customer(booking),
        "items": [_item(booking, "full_payment")],
        "settlements": [{"type": "prepayment", "amount": amount(booking)}],
        "send": True,
    }


def closing_key(booking_id: str) -> str:
    return f"closing-receipt-{booking_id}"


def entry(kind: str, status: str, at: str, booking: Booking, receipt_id: str | None = None) -> dict[str, Any]:
    """One receipt as the booking keeps it (times in UTC)."""
    found = {"kind": kind, "status": status, "at": at, "amount": int(booking.price)}
    return {**found, "receipt_id": receipt_id} if receipt_id else found


def registration(status: Any) -> str:
    """YooKassa's word on a receipt (a payment's or refund's `receipt_registration`) in the booking's terms."""
    return STATUSES.get(str(status or ""), "pending")


def receipts_of(booking: Booking) -> dict[str, dict[str, Any]]:
    return booking_store.receipts_of(booking)


def closing_job(booking: Booking, at: str) -> OutboxMessage:
    """The closing receipt's job, written with the signing (its id is the booking's: one job per booking)."""
    message_id = uuid.uuid5(uuid.NAMESPACE_URL, closing_key(booking.booking_id)).hex
    context = json.dumps({"booking_id": booking.booking_id})
    return outbox_store.new_message(message_id, booking.patient_email, CLOSING_JOB, context, at)


def status_job(booking: Booking, kind: str, at: str) -> OutboxMessage:
    """A job that follows the booking's `kind` receipt while YooKassa registers it (one per booking and kind)."""
    message_id = uuid.uuid5(uuid.NAMESPACE_URL, f"receipt-status-{booking.booking_id}-{kind}").hex
    context = json.dumps({"booking_id": booking.booking_id, "kind": kind})
    return outbox_store.new_message(message_id, booking.patient_email, STATUS_JOB, context, at)


def _matches(kind: str, receipt: dict[str, Any], booking: Booking) -> bool:
    settled = {s.get("type") for s in receipt.get("settlements") or []}
    if kind == REFUND:
        return receipt.get("type") == "refund" and receipt.get("refund_id") == booking.refund_id
    return receipt.get("type") == "payment" and ("prepayment" in settled) == (kind == CLOSING)


def _follow(booking_id: str, kind: str) -> str:
    """The receipt's state at YooKassa on the booking; Unavailable while it is still being registered."""
    booking = booking_store.get_booking(booking_id)
    kept = receipts_of(booking).get(kind) if booking is not None else None
    if booking is None or not booking.payment_id or not kept:
        raise ReceiptRefused(f"no {kind} receipt on booking {booking_id}")
    if kept.get("status") != "pending":
        return str(kept.get("receipt_id") or kind)
    try:
        found = gateway.find_receipts(booking.payment_id)
    except gateway.PaymentServiceUnavailable as exc:
        raise Unavailable("yookassa receipts") from exc
    receipt = next((r for r in found if _matches(kind, r, booking)), None)
    status = registration(receipt.get("status")) if receipt else "pending"
    if receipt is None or status == "pending":
        raise Unavailable(f"{kind} receipt still being registered")
    booking_store.set_receipt(
        booking, entry(kind, status, str(kept["at"]), booking, str(receipt["id"])), only_if_not="succeeded"
    )
    log_event("receipt_registered", booking_id=booking_id, kind=kind, status=status)
    return str(receipt["id"])


def run_job(message: OutboxMessage, at: str) -> str:
    """Run a receipt job; the receipt's id. Unavailable: try again later; ReceiptRefused: never."""
    context = json.loads(message.context or "{}")
    booking_id = str(context.get("booking_id") or "")
    if message.template == STATUS_JOB:
        return _follow(booking_id, str(context.get("kind") or ""))
    booking = booking_store.get_booking(booking_id)
    if booking is None or not booking.payment_id:
        raise ReceiptRefused(f"no paid booking {booking_id}")
    done = receipts_of(booking).get(CLOSING) or {}
    if done.get("receipt_id"):
        return _follow(booking_id, CLOSING)  # issued already (a second delivery): followed while still pending
    try:
        receipt = gateway.create_receipt(closing_receipt(booking), closing_key(booking_id))
    except gateway.RefusedByYooKassa as exc:
        booking_store.set_receipt(booking, entry(CLOSING, "canceled", at, booking), only_if_not="succeeded")
        log_event("closing_receipt_refused", logging.ERROR, booking_id=booking_id)
        raise ReceiptRefused(str(exc)) from exc
    except gateway.PaymentServiceUnavailable as exc:
        log_event("closing_receipt_deferred", booking_id=booking_id)
        raise Unavailable("yookassa receipts") from exc
    receipt_id = str(receipt["id"])
    status = registration(receipt.get("status"))
    booking_store.set_receipt(booking, entry(CLOSING, status, at, booking, receipt_id), only_if_not="succeeded")
    log_event("closing_receipt_issued", booking_id=booking_id, receipt_id=receipt_id, status=status)
    if status == "pending":
        raise Unavailable("closing receipt still being registered")  # the job comes back to follow it
    return receipt_id
