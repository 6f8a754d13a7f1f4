"""Bookings: hold a slot, see and cancel bookings, the doctor's day."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.errors import BadRequest
from chalicelib.web.access import SIGNED_IN, role
from chalicelib.web.routing import Call, Endpoints
from chalicelib.web.schema import Obj, Str

bp = Blueprint(__name__)
api = Endpoints(bp, "bookings")
PATIENT = role(roles.PATIENT)
DOCTOR = role(roles.DOCTOR)

BOOKING = {
    "type": "object",
    "required": ["id", "status", "starts_at", "ends_at", "price", "email"],
    "properties": {
        "id": {"type": "string"},
        "status": {
            "type": "string",
            "enum": [
                "held",
                "awaiting_payment",
                "paid",
                "in_progress",
                "completed",
                "expired",
                "cancelled",
                "refunded",
                "no_show_patient",
                "no_show_doctor",
            ],
        },
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "hold_expires_at": {"type": "string", "format": "date-time", "nullable": True},
        "price": {"type": "integer"},
        "currency": {"type": "string", "enum": ["RUB"]},
        "email": {"type": "string"},
        "patient": {
            "type": "object",
            "required": ["id", "full_name"],
            "properties": {"id": {"type": "string"}, "full_name": {"type": "string"}},
        },
        "doctor": {
            "type": "object",
            "required": ["id", "full_name"],
            "properties": {
                "id": {"type": "string"},
                "full_name": {"type": "string"},
                "specialty": {"type": "string", "nullable": True},
            },
        },
        "patient_time_zone": {"type": "string", "nullable": True},
        "created_at": {"type": "string"},
        "payment_id": {"type": "string", "nullable": True, "description": "YooKassa's payment, once one is started"},
        "payment_status": {
            "type": "string",
            "nullable": True,
            "enum": ["pending", "waiting_for_capture", "succeeded", "canceled", None],
        },
        "refund_status": {
            "type": "string",
            "nullable": True,
            "enum": ["pending", "succeeded", "canceled", "none", None],
            "description": "none: cancelled too late for a refund",
        },
        "cancellation": {
            "type": "object",
            "nullable": True,
            "description": "What cancelling would do now (held, awaiting payment or paid bookings only)",
            "required": ["refund", "deadline", "deadline_hours"],
            "properties": {
                "refund": {
                    "type": "string",
                    "enum": ["full", "none", None],
                    "nullable": True,
                    "description": "null while unpaid",
                },
                "deadline": {"type": "string", "format": "date-time"},
                "deadline_hours": {"type": "integer"},
            },
        },
        "room_id": {"type": "string", "nullable": True},
        "room_opens_at": {"type": "string", "format": "date-time", "nullable": True},
        "room_closes_at": {"type": "string", "format": "date-time", "nullable": True},
        # The booking's own address for documents by email: its patient only, while it is paid.
        "documents_address": {"type": "string", "nullable": True},
    },
}
HOLD_BODY = Obj(fields={"slot_id": Str(max_len=100), "time_zone": Str(required=False, max_len=64)})


def _hold_keys(call: Call) -> list[Any]:
    """The slot to read together with the session."""
    from chalicelib.booking.holds import slot_key

    try:
        body = call.json()
    except BadRequest:  # the body schema reports it, after access is checked
        return []
    slot_id = body.get("slot_id") if isinstance(body, dict) else None
    return slot_key(slot_id) if isinstance(slot_id, str) else []


@api.post(
    "/bookings",
    access=PATIENT,
    summary="Hold a slot (one conditional transaction)",
    ok=201,
    body=HOLD_BODY,
    response=BOOKING,
    errors=(
        "not_signed_in",
        "forbidden",
        "consent_required",
        "slot_taken",
        "hold_limit",
        "slot_already_yours",
        "not_found",
    ),
    prefetch=_hold_keys,
)
def hold(call: Call) -> dict[str, Any]:
    from chalicelib.booking import holds

    return holds.hold(call.principal, call.body["slot_id"], call.body.get("time_zone"), call.loaded)


@api.get(
    "/bookings",
    access=SIGNED_IN,
    summary="My bookings (as patient, or as doctor with ?as=doctor)",
    query=Obj(fields={"as": Str(required=False, choices=("patient", "doctor"))}),
    response={"type": "array", "items": BOOKING},
    errors=("not_signed_in", "forbidden"),
)
def my_bookings(call: Call) -> list[dict[str, Any]]:
    from chalicelib.booking import listing

    return listing.my_bookings(call.principal, call.query.get("as"))


@api.get(
    "/bookings/{booking_id}",
    access=SIGNED_IN,
    summary="One booking (its patient, its doctor, staff)",
    response=BOOKING,
    errors=("not_signed_in", "not_found"),
)
def booking(call: Call, booking_id: str) -> dict[str, Any]:
    from chalicelib import audit
    from chalicelib.booking import holds
    from chalicelib.booking.shapes import booking_view
    from chalicelib.clock import now

    found = holds.visible_booking(call.principal, booking_id)
    audit.record(call.principal, "read_booking", "booking", booking_id, found.patient_id, call.ip, call.user_agent)
    return booking_view(found, now(), call.principal.user_id)


@api.post(
    "/bookings/{booking_id}/cancel",
    access=SIGNED_IN,
    summary="Cancel (owner or staff) by the refund rule",
    response=BOOKING,
    errors=("not_signed_in", "not_found", "not_cancellable", "conflict"),
)
def cancel(call: Call, booking_id: str) -> dict[str, Any]:
    from chalicelib.payments import cancellation

    return cancellation.cancel(call.principal, booking_id)


@api.get(
    "/doctor/consultations",
    access=DOCTOR,
    summary="The doctor's consultations of one day",
    query=Obj(fields={"date": Str(required=False, format="date")}),
    response={"type": "array", "items": BOOKING},
    errors=("not_signed_in", "forbidden"),
)
def doctor_day(call: Call) -> list[dict[str, Any]]:
    from chalicelib.booking import listing

    return listing.doctor_day(call.principal, call.query.get("date"))
