"""The registry: requests from the public form, medical cards, credentials."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.routes.bookings import BOOKING
from chalicelib.web.access import ANYONE, role
from chalicelib.web.routing import Call, Endpoints
from chalicelib.web.schema import Obj, Str

bp = Blueprint(__name__)
api = Endpoints(bp, "registry")
STAFF = role(roles.REGISTRAR, roles.ADMIN)

REQUEST = {
    "type": "object",
    "required": ["id", "full_name", "email", "phone", "status", "created_at"],
    "properties": {
        "id": {"type": "string"},
        "full_name": {"type": "string"},
        "email": {"type": "string"},
        "phone": {"type": "string"},
        "comment": {"type": "string"},
        "status": {"type": "string", "enum": ["new", "done", "rejected"]},
        "created_at": {"type": "string"},
        "handled_at": {"type": "string", "nullable": True},
    },
}
PATIENT = {
    "type": "object",
    "required": ["id", "full_name", "email", "card_number"],
    "properties": {
        "id": {"type": "string"},
        "full_name": {"type": "string"},
        "email": {"type": "string"},
        "phone": {"type": "string", "nullable": True},
        "birth_date": {"type": "string", "nullable": True},
        "card_number": {"type": "string", "nullable": True},
        "roles": {"type": "array", "items": {"type": "string", "enum": ["patient", "doctor", "registrar", "admin"]}},
        "must_change_password": {"type": "boolean"},
        "credentials_sent": {"type": "boolean"},
    },
}
FULL_NAME = Str(min_len=3, max_len=200)


@api.post(
    "/registration-requests",
    access=ANYONE,
    summary="Ask the registry to open a medical card",
    ok=201,
    body=Obj(
        fields={
            "full_name": FULL_NAME,
            "email": Str(format="email", max_len=254),
            "phone": Str(format="phone", max_len=32),
            "comment": Str(required=False, max_len=2000),
        }
    ),
    response=REQUEST,
)
def submit_request(call: Call) -> dict[str, Any]:
    from chalicelib.accounts import cards

    return cards.submit_request(**call.body)


@api.get(
    "/registration-requests",
    access=STAFF,
    summary="The registry's queue of requests",
    query=Obj(fields={"status": Str(required=False, choices=("new", "done", "rejected"))}),
    response={"type": "array", "items": REQUEST},
    errors=("not_signed_in", "forbidden"),
)
def request_queue(call: Call) -> list[dict[str, Any]]:
    from chalicelib.accounts import cards

    return cards.request_queue(call.query.get("status") or "new")


@api.post(
    "/registration-requests/{request_id}/status",
    access=STAFF,
    summary="Mark a request done or rejected",
    body=Obj(fields={"status": Str(choices=("new", "done", "rejected"))}),
    response=REQUEST,
    errors=("not_signed_in", "forbidden", "not_found", "conflict"),
)
def set_request_status(call: Call, request_id: str) -> dict[str, Any]:
    from chalicelib.accounts import cards

    return cards.set_request_status(call.principal, request_id, call.body["status"])


@api.post(
    "/patients",
    access=STAFF,
    summary="Open a medical card; the login and a temporary password go by email",
    ok=201,
    body=Obj(
        fields={
            "full_name": FULL_NAME,
            "email": Str(format="email", max_len=254),
            "phone": Str(format="phone", max_len=32),
            "birth_date": Str(format="date"),
            "request_id": Str(required=False, max_len=64),
        }
    ),
    response=PATIENT,
    errors=("not_signed_in", "forbidden", "email_taken"),
)
def open_card(call: Call) -> dict[str, Any]:
    from chalicelib.accounts import cards

    return cards.open_card(call.principal, **call.body)


@api.post(
    "/patients/search",
    access=STAFF,
    summary="Find a patient's card by email",
    body=Obj(fields={"email": Str(format="email", max_len=254)}),
    response=PATIENT,
    errors=("not_signed_in", "forbidden", "not_found"),
)
def find_patient(call: Call) -> dict[str, Any]:
    """The address travels in the body: a query string would put it in CloudFront's and the API's logs."""
    from chalicelib.accounts import cards

    return cards.find_patient(call.body["email"])


@api.get(
    "/patients/{user_id}/bookings",
    access=STAFF,
    summary="A patient's bookings, newest first (audited)",
    response={"type": "array", "items": BOOKING},
    errors=("not_signed_in", "forbidden", "not_found"),
)
def patient_bookings(call: Call, user_id: str) -> list[dict[str, Any]]:
    from chalicelib.booking import listing

    return listing.patient_bookings(call.principal, user_id, call.ip, call.user_agent)


@api.post(
    "/patients/{user_id}/credentials",
    access=STAFF,
    summary="Send a new temporary password; the old one stops working",
    response=PATIENT,
    errors=("not_signed_in", "forbidden", "not_found"),
)
def resend_credentials(call: Call, user_id: str) -> dict[str, Any]:
    from chalicelib.accounts import cards

    return cards.resend_credentials(call.principal, user_id)
