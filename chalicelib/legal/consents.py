"""Reading and signing the legal documents in force; signed copies (withdrawal: `legal.withdrawal`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from chalicelib.accounts import sessions
from chalicelib.accounts.sessions import Principal
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.errors import Conflict, DomainError, NotFound, ValidationFailed
from chalicelib.i18n import t
from chalicelib.legal import documents
from chalicelib.logs import log_event
from chalicelib.pdf import render as pdf_render
from chalicelib.storage import accounts as account_store
from chalicelib.storage import legal as store
from chalicelib.storage.access import plain
from chalicelib.storage.records import Consent, User
from chalicelib.timefmt import clinic_zone, format_datetime


class DocumentOutdated(DomainError):
    """The version signed is not the one in force (the message names the document: `title`)."""

    code = "document_outdated"


class DocumentChanged(DomainError):
    """The text signed is not the text we would show now (the message names the document: `title`)."""

    code = "document_changed"


class AlreadySigned(Conflict):
    """This version is signed already (the message names the document: `title`)."""

    message_key = "errors.already_signed"


def person(principal: Principal) -> User:
    user = account_store.get_user(principal.user_id)
    if user is None:
        raise NotFound("user")
    return user


def in_force(principal: Principal) -> list[dict[str, Any]]:
    """The documents in force, as this patient reads them, and whether each is signed (an earlier version signed:
    `signed_version` says which; the patient signs the new one at the next booking)."""
    user = person(principal)
    signed = plain(user.signed_documents)
    entries = {item.kind: item for item in documents.in_force()}
    return [
        {
            "kind": doc.kind,
            "version": doc.version,
            "title": doc.title,
            "html": doc.html,
            "sha256": doc.sha256,
            "signed": signed.get(doc.kind) == doc.version,
            "signed_version": signed.get(doc.kind) or None,
            "required_before_booking": entries[doc.kind].required_before_booking,
            "withdrawable": entries[doc.kind].withdrawable,
        }
        for doc in documents.current(user)
    ]


def _local(moment: str | None) -> str | None:
    return dt.datetime.fromisoformat(moment).astimezone(clinic_zone()).isoformat() if moment else None


def view(consent: Consent, with_text: bool = False) -> dict[str, Any]:
    data = {
        "id": consent.consent_id,
        "kind": consent.kind,
        "version": consent.version,
        "title": documents.title(consent.kind),
        "sha256": consent.sha256,
        "signed_at": _local(consent.signed_at),
        "ip": consent.ip,
        "user_agent": consent.user_agent,
        "withdrawn_at": _local(consent.withdrawn_at),
        "in_force": consent.withdrawn_at is None and documents.current_version(consent.kind) == consent.version,
        "withdrawable": documents.is_withdrawable(consent.kind) and consent.withdrawn_at is None,
    }
    if with_text:
        data["html"] = consent.text
    return data


def sign(principal: Principal, kind: str, version: str, sha256: str, ip: str, user_agent: str) -> dict[str, Any]:
    """Sign the version in force of `kind`; the hash must be that of the text the patient was shown."""
    [signature] = sign_all(principal, [{"kind": kind, "version": version, "sha256": sha256}], ip, user_agent)
    return signature


def sign_all(principal: Principal, wanted: list[dict[str, str]], ip: str, user_agent: str) -> list[dict[str, Any]]:
    """Sign every listed document ({kind, version, sha256}, as shown to the patient) in one transaction: all of
    them or none. A version no longer in force, a text that changed or a version signed already refuses them all,
    naming the document."""
    kinds = [item["kind"] for item in wanted]
    if not kinds or len(set(kinds)) != len(kinds):
        raise ValidationFailed("each document once", fields={"documents": t("legal.each_once")})
    user = person(principal)
    signed_now = plain(user.signed_documents)
    shown = []
    for item in wanted:
        kind, version = item["kind"], item["version"]
        in_force = documents.current_version(kind)
        if in_force is None:
            raise NotFound("document")
        if version != in_force:
            raise DocumentOutdated(kind, title=documents.title(kind))
        doc = documents.render(kind, version, user)
        if item["sha256"].lower() != doc.sha256:
            raise DocumentChanged(kind, title=doc.title)
        if signed_now.get(kind) == version:
            raise AlreadySigned(kind, title=doc.title)
        shown.append(doc)
    at = now().isoformat()
    try:
        consents = store.record_signatures(
            user,
            [
                (
                    uuid.uuid4().hex,
                    {
                        "kind": doc.kind,
                        "version": doc.version,
                        "sha256": doc.sha256,
                        "text": doc.html,
                        "signed_at": at,
                        "ip": ip or None,
                        "user_agent": user_agent or None,
                    },
                )
                for doc in shown
            ],
        )
    except Conflict:
        # Signed meanwhile (another tab, a second click): say which, as the check above would have.
        fresh = plain((account_store.get_user(user.user_id) or user).signed_documents)
        raise next(
            (AlreadySigned(doc.kind, title=doc.title) for doc in shown if fresh.get(doc.kind) == doc.version),
            Conflict("signature"),
        ) from None
    sessions.refresh(account_store.get_user(user.user_id) or user)
    for consent in consents:
        log_event("document_signed", user_id=user.user_id, kind=consent.kind, version=consent.version)
    return [view(consent) for consent in consents]


def signed(principal: Principal) -> list[dict[str, Any]]:
    return [view(c) for c in store.consents_of(principal.user_id)]


def own(principal: Principal, consent_id: str) -> Consent:
    """The patient's own signature (anyone else's looks like none)."""
    consent = store.get_consent(consent_id)
    if consent is None or consent.user_id != principal.user_id:
        raise NotFound("consent")
    return consent


def signed_copy(principal: Principal, consent_id: str) -> dict[str, Any]:
    return view(own(principal, consent_id), with_text=True)


def signed_copy_pdf(principal: Principal, consent_id: str) -> tuple[str, bytes]:
    """(file name, PDF) of the signed copy, with the signature's record at the end."""
    consent = own(principal, consent_id)
    s = settings()
    pdf = pdf_render.new_document(documents.title(consent.kind), s.clinic_name, s.clinic_address)
    pdf_render.html_block(pdf, consent.text)
    signed_at = dt.datetime.fromisoformat(consent.signed_at)
    lines = [
        t("legal.pdf.signed", name=principal.full_name, when=format_datetime(signed_at)),
        t("legal.pdf.how"),
        t("legal.pdf.ip", ip=consent.ip or "—"),
        t("legal.pdf.agent", agent=(consent.user_agent or "—")[:160]),
        t("legal.pdf.hash", sha256=consent.sha256),
    ]
    if consent.withdrawn_at:
        lines.append(t("legal.pdf.withdrawn", when=format_datetime(dt.datetime.fromisoformat(consent.withdrawn_at))))
    pdf_render.info_box(pdf, lines)
    return f"{consent.kind}-{consent.version}-{signed_at.date().isoformat()}.pdf", pdf_render.to_bytes(pdf)
