"""The legal documents (contract, consents): reading, signing, signed copies, withdrawal."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import roles
from chalicelib.legal import consents, withdrawal
from chalicelib.web.access import SIGNED_IN, role
from chalicelib.web.downloads import pdf_download
from chalicelib.web.routing import Call, Endpoints, ListOf, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "legal")
PATIENT = role(roles.PATIENT)


@api.get(
    "/legal-documents",
    access=SIGNED_IN,
    summary="The documents in force (contract, consents), as this person reads them",
    response=ListOf("legal.LegalDocument"),
    errors=("not_signed_in",),
)
def legal_documents(call: Call) -> list[dict[str, Any]]:
    return consents.in_force(call.principal)


@api.post(
    "/consents",
    access=PATIENT,
    summary="Sign the version in force of a document",
    ok=201,
    body=Model("legal.SignatureRequest"),
    response=Model("legal.Signature"),
    errors=("not_signed_in", "forbidden", "document_outdated", "document_changed", "conflict"),
)
def sign(call: Call) -> dict[str, Any]:
    return consents.sign(
        call.principal, call.body["kind"], call.body["version"], call.body["sha256"], call.ip, call.user_agent
    )


@api.post(
    "/legal-documents/signatures",
    access=PATIENT,
    summary="Sign several documents in force at once (all or none)",
    ok=201,
    body=Model("legal.SignaturesRequest"),
    response=ListOf("legal.Signature"),
    errors=("not_signed_in", "forbidden", "not_found", "document_outdated", "document_changed", "conflict"),
)
def sign_all(call: Call) -> list[dict[str, Any]]:
    return consents.sign_all(call.principal, call.body["documents"], call.ip, call.user_agent)


@api.get(
    "/consents",
    access=PATIENT,
    summary="Signed copies",
    response=ListOf("legal.Signature"),
    errors=("not_signed_in", "forbidden"),
)
def signed(call: Call) -> list[dict[str, Any]]:
    return consents.signed(call.principal)


@api.get(
    "/consents/{consent_id}",
    access=PATIENT,
    summary="One signed copy with its text",
    response=Model("legal.Signature"),
    errors=("not_signed_in", "forbidden", "not_found"),
)
def signed_copy(call: Call, consent_id: str) -> dict[str, Any]:
    return consents.signed_copy(call.principal, consent_id)


@api.get(
    "/consents/{consent_id}/pdf",
    access=PATIENT,
    summary="One signed copy as PDF",
    response={"type": "string", "format": "binary"},
    response_type="application/pdf",
    errors=("not_signed_in", "forbidden", "not_found"),
)
def signed_copy_pdf(call: Call, consent_id: str) -> Response:
    return pdf_download(*consents.signed_copy_pdf(call.principal, consent_id))


@api.get(
    "/consents/{consent_id}/withdrawal",
    access=PATIENT,
    summary="What withdrawing this consent would stop, what goes on and what is kept (and for how long)",
    response=Model("legal.WithdrawalConsequences"),
    errors=("not_signed_in", "forbidden", "not_found", "not_withdrawable"),
)
def withdrawal_consequences(call: Call, consent_id: str) -> dict[str, Any]:
    return withdrawal.consequences(call.principal, consent_id)


@api.post(
    "/consents/{consent_id}/withdraw",
    access=PATIENT,
    summary="Withdraw a consent (recorded; new bookings stop until a new signature)",
    response=Model("legal.Signature"),
    errors=("not_signed_in", "forbidden", "not_found", "not_withdrawable", "conflict"),
)
def withdraw(call: Call, consent_id: str) -> dict[str, Any]:
    return withdrawal.withdraw(call.principal, consent_id, call.ip)
