"""Bookings: hold a slot, see and cancel bookings, the doctor's day."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import audit, reschedule, roles
from chalicelib.booking import holds, listing
from chalicelib.booking.holds import slot_key
from chalicelib.booking.shapes import booking_view
from chalicelib.clock import now
from chalicelib.errors import BadRequest
from chalicelib.payments import cancellation
from chalicelib.web.access import SIGNED_IN, role
from chalicelib.web.routing import Call, Endpoints, ListOf, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "bookings")
PATIENT = role(roles.PATIENT)
DOCTOR = role(roles.DOCTOR)


def _hold_keys(call: Call) -> list[Any]:
    """The slot to read together with the session."""
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
    body=Model("bookings.HoldRequest"),
    response=Model("bookings.Booking"),
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
    return holds.hold(call.principal, call.body["slot_id"], call.body.get("time_zone"), call.loaded)


@api.get(
    "/bookings",
    access=SIGNED_IN,
    summary="My bookings (as patient, or as doctor with ?as=doctor)",
    query=Model("bookings.BookingsQuery"),
    response=ListOf("bookings.Booking"),
    errors=("not_signed_in", "forbidden"),
)
def my_bookings(call: Call) -> list[dict[str, Any]]:
    return listing.my_bookings(call.principal, call.query.get("as"))


@api.get(
    "/bookings/{booking_id}",
    access=SIGNED_IN,
    summary="One booking (its patient, its doctor, staff)",
    response=Model("bookings.Booking"),
    errors=("not_signed_in", "not_found"),
)
def booking(call: Call, booking_id: str) -> dict[str, Any]:
    found = holds.visible_booking(call.principal, booking_id)
    audit.record(call.principal, "read_booking", "booking", booking_id, found.patient_id, call.ip, call.user_agent)
    return booking_view(found, now(), call.principal.user_id)


@api.post(
    "/bookings/{booking_id}/cancel",
    access=SIGNED_IN,
    summary="Cancel (owner or staff) by the refund rule",
    response=Model("bookings.Booking"),
    errors=("not_signed_in", "not_found", "not_cancellable", "conflict"),
)
def cancel(call: Call, booking_id: str) -> dict[str, Any]:
    return cancellation.cancel(call.principal, booking_id)


@api.post(
    "/bookings/{booking_id}/reschedule",
    access=SIGNED_IN,
    summary="Move a paid booking to another free slot (its patient until 24 h before, staff at any time)",
    body=Model("bookings.RescheduleRequest"),
    response=Model("bookings.Booking"),
    errors=(
        "not_signed_in",
        "not_found",
        "not_reschedulable",
        "price_differs",
        "slot_taken",
    ),
)
def move(call: Call, booking_id: str) -> dict[str, Any]:
    return reschedule.reschedule(call.principal, booking_id, call.body["slot_id"])


@api.get(
    "/doctor/consultations",
    access=DOCTOR,
    summary="The doctor's consultations of one day",
    query=Model("bookings.DayQuery"),
    response=ListOf("bookings.Booking"),
    errors=("not_signed_in", "forbidden"),
)
def doctor_day(call: Call) -> list[dict[str, Any]]:
    return listing.doctor_day(call.principal, call.query.get("date"))
