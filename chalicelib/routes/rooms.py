"""The video room: its state, times, ICE servers and the signaling ticket; the network check."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.errors import DomainError
from chalicelib.rooms import consultation, guests, resend, service
from chalicelib.web.access import ANYONE, SIGNED_IN, role
from chalicelib.web.routing import Call, Endpoints, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "rooms")

NETWORK_CHECK_LIMIT = 512 * 1024
DOCTOR = role(roles.DOCTOR)


@api.get(
    "/rooms/{room_id}",
    access=ANYONE,
    summary="The room: by its link's token (patient, no sign-in), or by the session of its doctor or its patient",
    headers=Model("rooms.RoomHeaders"),
    response=Model("rooms.Room"),
    errors=("not_found", "room_closed", "guest_too_early"),
)
def room(call: Call, room_id: str) -> dict[str, Any]:
    """The link's token comes in a header (the page reads it from the address's fragment), never in a query."""
    token = call.header_values.get("X-Room-Token")
    found, role = service.enter(room_id, token, None if token else call.principal)
    return service.info(found, role)


@api.post(
    "/rooms/{room_id}/end",
    access=DOCTOR,
    summary="The doctor ends the consultation (idempotent): the room answers `ended` and refuses the call",
    response=Model("rooms.ConsultationEnd"),
    errors=("not_signed_in", "forbidden", "not_found", "room_closed"),
)
def end(call: Call, room_id: str) -> dict[str, Any]:
    return consultation.end(call.principal, room_id)


@api.post(
    "/rooms/{room_id}/reopen",
    access=DOCTOR,
    summary="The doctor goes back into a consultation he ended, while the room is open and nothing is signed",
    response=Model("rooms.ConsultationEnd"),
    errors=("not_signed_in", "forbidden", "not_found", "room_closed", "consultation_not_reopenable"),
)
def reopen(call: Call, room_id: str) -> dict[str, Any]:
    return consultation.reopen(call.principal, room_id)


@api.post(
    "/bookings/{booking_id}/room-link",
    access=SIGNED_IN,
    summary="Email the patient a new room link (earlier ones stop working); at most once in 5 minutes, 5 a day",
    response=Model("rooms.RoomLinkSent"),
    errors=("not_signed_in", "not_found", "room_closed", "consultation_ended", "too_many_requests", "conflict"),
)
def send_link_again(call: Call, booking_id: str) -> dict[str, Any]:
    return resend.send_again(call.principal, booking_id)


GUEST_ERRORS = ("not_signed_in", "not_found", "room_closed", "consultation_ended")


@api.get(
    "/bookings/{booking_id}/guest",
    access=SIGNED_IN,
    summary="The booking's guest in the call (its patient, the registry): who, invited when, present when",
    response=Model("rooms.BookingGuest"),
    errors=("not_signed_in", "not_found"),
)
def guest(call: Call, booking_id: str) -> dict[str, Any]:
    return guests.get(call.principal, booking_id)


@api.post(
    "/bookings/{booking_id}/guest",
    access=SIGNED_IN,
    summary="Invite the one guest of the booking by email (a representative, a relative, an interpreter)",
    body=Model("rooms.GuestInvite"),
    response=Model("rooms.BookingGuest"),
    errors=(*GUEST_ERRORS, "guest_exists", "too_many_requests"),
)
def invite_guest(call: Call, booking_id: str) -> dict[str, Any]:
    body = call.body
    return guests.invite(call.principal, booking_id, body["name"], body["email"], body["relation"])


@api.post(
    "/bookings/{booking_id}/guest/resend",
    access=SIGNED_IN,
    summary="The guest's invitation again, as a new link (the earlier one stops working); the room link's limits",
    response=Model("rooms.BookingGuest"),
    errors=(*GUEST_ERRORS, "too_many_requests", "conflict", "no_guest"),
)
def invite_guest_again(call: Call, booking_id: str) -> dict[str, Any]:
    return guests.send_again(call.principal, booking_id)


@api.delete(
    "/bookings/{booking_id}/guest",
    access=SIGNED_IN,
    summary="Revoke the guest's invitation: the link stops working, the guest leaves the call",
    response=Model("rooms.BookingGuest"),
    errors=("not_signed_in", "not_found", "conflict", "no_guest"),
)
def revoke_guest(call: Call, booking_id: str) -> dict[str, Any]:
    return guests.revoke(call.principal, booking_id)


@api.post(
    "/rooms/{room_id}/guest/remove",
    access=DOCTOR,
    summary="The doctor removes the guest from the call: the link stops working, no other guest may be invited",
    response=Model("rooms.BookingGuest"),
    errors=("not_signed_in", "forbidden", "not_found", "conflict", "no_guest"),
)
def remove_guest(call: Call, room_id: str) -> dict[str, Any]:
    return guests.remove(call.principal, room_id)


@api.post(
    "/network-check",
    access=ANYONE,
    summary="Upload estimate: send up to 512 KB, get the bytes counted",
    content_types=("application/octet-stream",),
    response=Model("rooms.NetworkCheck"),
    errors=("payload_too_large",),
)
def network_check(call: Call) -> dict[str, Any]:
    received = len(call.raw_body())
    if received > NETWORK_CHECK_LIMIT:

        class TooLarge(DomainError):
            code = "payload_too_large"

        raise TooLarge()
    return {"received_bytes": received}
