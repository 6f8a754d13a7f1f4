"""YooKassa's notifications: a hint to look, never proof.

Only YooKassa's addresses are heard; the payment (or refund) is fetched from
YooKassa itself and only that is believed; every change is a conditional
write, so a notification repeated ten times changes things once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from chalicelib import outbox, timer
from chalicelib.booking import rules
from chalicelib.clock import now
from chalicelib.documents.addresses import new_address
from chalicelib.errors import BadRequest, DomainError, Unavailable
from chalicelib.logs import log_event
from chalicelib.payments import gateway, receipts, refunds
from chalicelib.payments.checkout import paid_mail
from chalicelib.rooms.links import new_room
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import payments as store
from chalicelib.storage import rooms as room_store
from chalicelib.storage.records import Booking

# A succeeded payment can still make a booking in these states (the slot decides).
PAYABLE = (rules.HELD, rules.AWAITING_PAYMENT, rules.EXPIRED)


class ForbiddenSource(DomainError):
    code = "forbidden_source"


class PaymentMismatch(DomainError):
    code = "payment_mismatch"


def handle(source_ip: str, body: Any) -> dict[str, str]:
    """Process one notification; what was done (for the log and the answer)."""
    if not gateway.trusted_source(source_ip):
        log_event("webhook_refused", logging.WARNING, reason="source")
        raise ForbiddenSource()
    from yookassa.domain.notification import (  # heavy (YooKassa's SDK): only a notification needs it
        WebhookNotificationEventType,
        WebhookNotificationFactory,
    )

    try:
        notification = WebhookNotificationFactory().create(body)
        object_id = str(notification.object.id)
    except (TypeError, ValueError, AttributeError, KeyError):
        raise BadRequest("malformed notification") from None
    event = notification.event
    if event in (WebhookNotificationEventType.PAYMENT_SUCCEEDED, WebhookNotificationEventType.PAYMENT_CANCELED):
        return _payment(object_id)
    if event == WebhookNotificationEventType.REFUND_SUCCEEDED:
        return _refund(object_id)
    return {"result": "ignored", "event": str(event)}


def _booking_for(payment: dict[str, Any]) -> Booking:
    booking_id = (payment.get("metadata") or {}).get("booking_id")
    booking = booking_store.get_booking(booking_id) if booking_id else None
    if booking is None:
        log_event("webhook_mismatch", logging.WARNING, payment_id=payment.get("id"), reason="booking")
        raise PaymentMismatch("no such booking")
    paid = payment.get("amount") or {}
    if paid.get("currency") != "RUB" or Decimal(str(paid.get("value", "0"))) != Decimal(int(booking.price)):
        log_event(
            "webhook_mismatch",
            logging.WARNING,
            payment_id=payment.get("id"),
            booking_id=booking.booking_id,
            reason="amount",
        )
        raise PaymentMismatch("amount")
    return booking


def _find(what: str, find: Callable[[str], dict[str, Any]], object_id: str) -> dict[str, Any]:
    """The object from YooKassa; one it does not know is a clear refusal (400), not a retry (503)."""
    try:
        return find(object_id)
    except gateway.UnknownAtYooKassa:
        log_event("webhook_mismatch", logging.WARNING, object_id=object_id, reason=f"unknown_{what}")
        raise PaymentMismatch(f"unknown {what}") from None


def _payment(payment_id: str) -> dict[str, str]:
    payment = _find("payment", gateway.find_payment, payment_id)  # the only truth
    status = payment.get("status")
    booking = _booking_for(payment)
    at = now().isoformat()
    if status == "succeeded":
        return _succeeded(booking, payment, at)
    if status == "canceled":
        store.set_payment_status(booking, payment_id, "canceled", at)
        return {"result": "payment_canceled"}
    return {"result": f"nothing_to_do_{status}"}


def _succeeded(booking: Booking, payment: dict[str, Any], at: str) -> dict[str, str]:
    payment_id = str(payment["id"])
    if applied(booking, payment_id):
        # The booking's own payment, seen again (YooKassa redelivers): it was applied once, in whatever status
        # the booking is now (paid, in progress, completed, cancelled, refunded, no-show): nothing to do.
        return _already_applied(booking)
    if booking.status in PAYABLE:
        room, token = new_room(booking, now())
        documents = new_address(booking, at)
        mail = paid_mail(booking, payment, room, token, documents_token=documents[1])
        try:
            prepayment = receipts.entry(
                receipts.PREPAYMENT, receipts.registration(payment.get("receipt_registration")), at, booking
            )
            store.confirm_paid(
                booking,
                payment_id=payment_id,
                at=at,
                room=room,
                mail=mail,
                from_statuses=PAYABLE,
                documents=documents,
                receipts={receipts.PREPAYMENT: prepayment},
                receipt_job=receipts.status_job(booking, receipts.PREPAYMENT, at)
                if prepayment["status"] == "pending"
                else None,
            )
        except store.AlreadyApplied:
            fresh = booking_store.get_booking(booking.booking_id)
            if fresh is not None and applied(fresh, payment_id):
                return _already_applied(fresh)
            return refunds.refund_unusable_payment(fresh or booking, payment)
        except store.SlotLost:
            return refunds.refund_unusable_payment(booking, payment)
        store.release_allowance(booking)
        outbox.deliver_written(mail)
        timer.start(booking, room)  # needs only its id and start, which the payment does not change
        log_event("booking_paid", booking_id=booking.booking_id, payment_id=payment_id)
        return {"result": "paid"}
    # Another payment for a booking already paid, cancelled or refunded...: this money buys nothing.
    return refunds.refund_unusable_payment(booking, payment)


def applied(booking: Booking, payment_id: str) -> bool:
    """This payment is the one the booking took (whatever happened to the booking since)."""
    return booking.payment_id == payment_id and (booking.paid_at is not None or booking.payment_status == "succeeded")


def _already_applied(booking: Booking) -> dict[str, str]:
    if booking.status == rules.PAID:
        _ensure_timer(booking)  # the call is still ahead: its timer must run (starting it again is harmless)
        return {"result": "already_paid"}
    log_event("webhook_already_applied", booking_id=booking.booking_id, status=booking.status)
    return {"result": "already_applied"}


def _ensure_timer(booking: Booking) -> None:
    room = room_store.get_room(booking.room_id) if booking.room_id else None
    if room is not None:
        timer.start(booking, room)


def _refund(refund_id: str) -> dict[str, str]:
    refund = _find("refund", gateway.find_refund, refund_id)
    if refund.get("status") != "succeeded":
        return {"result": f"nothing_to_do_{refund.get('status')}"}
    payment = _find("payment", gateway.find_payment, str(refund.get("payment_id")))
    booking = _booking_for_refund(payment)
    if booking.refund_id != refund_id:
        if booking.payment_id == payment.get("id"):
            # Our own refund, announced before its record was written (YooKassa can be faster than our
            # transaction): not lost — YooKassa is asked to come again, by then it is recorded.
            log_event("refund_not_recorded_yet", booking_id=booking.booking_id, refund_id=refund_id)
            raise Unavailable("refund not recorded yet")
        # The refund of another payment (one this booking never took): nothing of the booking's to record.
        return {"result": "refund_of_another_payment"}
    changed = store.refund_succeeded(booking, refund_id, dt.datetime.now(dt.UTC).isoformat())
    return {"result": "refund_recorded" if changed else "refund_already_recorded"}


def _booking_for_refund(payment: dict[str, Any]) -> Booking:
    booking_id = (payment.get("metadata") or {}).get("booking_id")
    booking = booking_store.get_booking(booking_id) if booking_id else None
    if booking is None:
        raise PaymentMismatch("no such booking")
    return booking
