"""Paying for a booking, YooKassa's notifications, staff refunds."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.payments import cancellation, checkout, notifications
from chalicelib.web.access import ANYONE, role
from chalicelib.web.routing import Call, Endpoints, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "payments")
PATIENT = role(roles.PATIENT)
STAFF = role(roles.REGISTRAR, roles.ADMIN)


@api.post(
    "/bookings/{booking_id}/payment",
    access=PATIENT,
    summary="Create (or find again) the YooKassa payment; where to send the patient",
    response=Model("payments.PaymentStart"),
    errors=(
        "not_signed_in",
        "forbidden",
        "not_found",
        "hold_expired",
        "already_paid",
        "consent_required",
        "payment_unavailable",
    ),
)
def pay(call: Call, booking_id: str) -> dict[str, Any]:
    return checkout.start_payment(call.principal, booking_id)


@api.post(
    "/payments/yookassa/webhook",
    access=ANYONE,
    summary="YooKassa notification (only from YooKassa's addresses; the payment is re-fetched)",
    response=Model("payments.WebhookResult"),
    errors=("forbidden_source", "payment_mismatch", "payment_unavailable", "unavailable"),
)
def webhook(call: Call) -> dict[str, Any]:
    return notifications.handle(call.ip, call.json())


@api.post(
    "/bookings/{booking_id}/refund",
    access=STAFF,
    summary="Refund a paid booking in full (staff, any time)",
    response=Model("bookings.Booking"),
    errors=("not_signed_in", "forbidden", "not_found", "not_cancellable", "payment_unavailable"),
)
def refund(call: Call, booking_id: str) -> dict[str, Any]:
    return cancellation.refund_by_staff(call.principal, booking_id)
