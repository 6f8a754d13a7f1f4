"""«Оплатить»: the payment for a held booking, created once, whatever the retries; its receipt and the email
that confirms it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.accounts.sessions import Principal
from chalicelib.booking import access, rules
from chalicelib.booking.mails import booking_context, calendar_event
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.documents.addresses import address
from chalicelib.errors import DomainError, NotFound
from chalicelib.i18n import t
from chalicelib.legal.documents import require_signatures
from chalicelib.logs import log_event
from chalicelib.outbox import compose
from chalicelib.payments import gateway, receipts
from chalicelib.payments.receipts import amount
from chalicelib.rooms.links import room_url
from chalicelib.scheduling.times import from_key, to_key
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import payments as store
from chalicelib.storage.records import Booking, OutboxMessage, Room
from chalicelib.timefmt import clinic_zone, format_datetime

DESCRIPTION_LIMIT = 128


class HoldExpired(DomainError):
    code = "hold_expired"


class AlreadyPaid(DomainError):
    code = "already_paid"


def description(booking: Booking) -> str:
    local = from_key(booking.starts_at).astimezone(clinic_zone())
    text = t(
        "payments.description",
        specialty=booking.specialty_name,
        doctor=booking.doctor_name,
        date=local.strftime("%d.%m.%Y"),
        time=local.strftime("%H:%M"),
    )
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"


def idempotence_key(booking: Booking, attempt: int) -> str:
    """One payment per booking and attempt: asking again, or retrying after a network error, finds the same."""
    return f"booking-{booking.booking_id}-payment-{attempt}"


def payment_params(booking: Booking) -> dict[str, Any]:
    return {
        "amount": amount(booking),
        "capture": True,
        "confirmation": {
            "type": "redirect",
            "return_url": f"{settings().public_base_url}/bookings/{booking.booking_id}/payment",
        },
        "description": description(booking),
        "metadata": {"booking_id": booking.booking_id},
        "receipt": receipts.prepayment_receipt(booking),  # 54-FZ: paid in advance; closed once rendered
    }


def start_payment(principal: Principal, booking_id: str) -> dict[str, Any]:
    booking = booking_store.get_booking(booking_id)
    if booking is None or not access.may_pay(principal, booking):
        raise NotFound("booking")
    if booking.status == rules.PAID:
        raise AlreadyPaid()
    current = now()
    now_key = to_key(current)
    if booking.status not in rules.UNPAID or rules.hold_has_expired(booking.status, booking.hold_expires_at, now_key):
        raise HoldExpired()
    # A document required before booking changed or was withdrawn since the hold: signed again before paying.
    require_signatures(principal.signed_documents)
    if booking.payment_id and booking.payment_status == "pending" and booking.confirmation_url:
        return {"confirmation_url": booking.confirmation_url, "payment_id": booking.payment_id}
    # A fresh attempt after a declined card; otherwise the same attempt (and the same key) again.
    attempt = int(booking.payment_attempt or 0) + (1 if booking.payment_status == "canceled" else 0)
    attempt = max(attempt, 1)
    payment = gateway.create_payment(payment_params(booking), idempotence_key(booking, attempt))
    confirmation_url = (payment.get("confirmation") or {}).get("confirmation_url", "")
    hold_until = rules.hold_expiry_while_paying(booking.hold_expires_at, current)
    try:
        store.await_payment(
            booking,
            payment_id=payment["id"],
            payment_status=payment.get("status", "pending"),
            confirmation_url=confirmation_url,
            attempt=attempt,
            hold_until=hold_until,
            now_key=now_key,
            at=current.isoformat(),
        )
    except store.HoldGone:
        raise HoldExpired() from None
    log_event("payment_created", booking_id=booking.booking_id, payment_id=payment["id"], attempt=attempt)
    return {"confirmation_url": confirmation_url, "payment_id": payment["id"]}


def paid_mail(
    booking: Booking, payment: dict[str, Any], room: Room, token: str, documents_token: str | None = None
) -> OutboxMessage:
    """The booking is paid: the room's link, the receipt, the documents address, an .ics of the time."""
    url = room_url(room.room_id, token)
    paid_at = payment.get("captured_at") or payment.get("created_at") or dt.datetime.now(dt.UTC).isoformat()
    item = receipts.prepayment_receipt(booking)["items"][0]
    context = {
        **booking_context(booking),
        "room_url": url,
        "documents_address": address(documents_token),
        "receipt": {
            "payment_id": payment["id"],
            "paid_at": format_datetime(dt.datetime.fromisoformat(str(paid_at).replace("Z", "+00:00"))),
            "item": item["description"],
            "amount": item["amount"]["value"],
            "vat_code": item["vat_code"],
            "description": description(booking),
            "seller": settings().clinic_name,
            "email": booking.patient_email,
        },
        "attachments": [calendar_event(booking, url, t("calendar.paid", specialty=booking.specialty_name, url=url))],
    }
    return compose(booking.patient_email, "booking_paid", context)
