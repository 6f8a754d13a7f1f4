"""The registry: requests from the public form, medical cards, credentials."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.accounts import cards, search
from chalicelib.booking import listing
from chalicelib.web.access import ANYONE, role
from chalicelib.web.routing import Call, Endpoints, ListOf, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "registry")
STAFF = role(roles.REGISTRAR, roles.ADMIN)


@api.post(
    "/registration-requests",
    access=ANYONE,
    summary="Ask the registry to open a medical card",
    ok=201,
    body=Model("registry.NewRegistrationRequest"),
    response=Model("registry.RegistrationRequest"),
)
def submit_request(call: Call) -> dict[str, Any]:
    return cards.submit_request(**call.body)


@api.get(
    "/registration-requests",
    access=STAFF,
    summary="The registry's queue of requests",
    query=Model("registry.RequestsQuery"),
    response=ListOf("registry.RegistrationRequest"),
    errors=("not_signed_in", "forbidden"),
)
def request_queue(call: Call) -> list[dict[str, Any]]:
    return cards.request_queue(call.query.get("status") or "new")


@api.post(
    "/registration-requests/{request_id}/status",
    access=STAFF,
    summary="Mark a request done or rejected",
    body=Model("registry.RequestStatusChange"),
    response=Model("registry.RegistrationRequest"),
    errors=("not_signed_in", "forbidden", "not_found", "conflict"),
)
def set_request_status(call: Call, request_id: str) -> dict[str, Any]:
    return cards.set_request_status(call.principal, request_id, call.body["status"])


@api.post(
    "/patients",
    access=STAFF,
    summary="Open a medical card; the login and a temporary password go by email",
    ok=201,
    body=Model("registry.NewCard"),
    response=Model("registry.PatientCard"),
    errors=("not_signed_in", "forbidden", "email_taken"),
)
def open_card(call: Call) -> dict[str, Any]:
    return cards.open_card(call.principal, **call.body)


@api.post(
    "/patients/search",
    access=STAFF,
    summary="Find a patient's card by email",
    body=Model("registry.PatientSearch"),
    response=Model("registry.PatientCard"),
    errors=("not_signed_in", "forbidden", "not_found"),
)
def find_patient(call: Call) -> dict[str, Any]:
    """The address travels in the body: a query string would put it in CloudFront's and the API's logs."""
    return cards.find_patient(call.principal, call.body["email"], call.ip, call.user_agent)


@api.post(
    "/patients/find",
    access=STAFF,
    summary="Find patients by surname (its start; case and ё/е do not matter), phone, card number or email; a page",
    body=Model("registry.PatientFind"),
    response=Model("registry.PatientPage"),
    errors=("not_signed_in", "forbidden"),
)
def find_patients(call: Call) -> dict[str, Any]:
    """What was typed travels in the body, out of CloudFront's and the API's logs. Each patient shown is audited."""
    return search.find_patients(call.principal, **call.body, ip=call.ip, user_agent=call.user_agent)


@api.get(
    "/patients/{user_id}/bookings",
    access=STAFF,
    summary="A patient's bookings, newest first (audited)",
    response=ListOf("bookings.Booking"),
    errors=("not_signed_in", "forbidden", "not_found"),
)
def patient_bookings(call: Call, user_id: str) -> list[dict[str, Any]]:
    return listing.patient_bookings(call.principal, user_id, call.ip, call.user_agent)


@api.post(
    "/patients/{user_id}/credentials",
    access=STAFF,
    summary="Send a new temporary password; the old one stops working",
    response=Model("registry.PatientCard"),
    errors=("not_signed_in", "forbidden", "not_found"),
)
def resend_credentials(call: Call, user_id: str) -> dict[str, Any]:
    return cards.resend_credentials(call.principal, user_id)
