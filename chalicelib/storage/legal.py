"""Signatures under legal documents."""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.errors import Conflict
from chalicelib.storage.access import get_or_none
from chalicelib.storage.errors import condition_failed, store_errors
from chalicelib.storage.tables import Consent, User


def record_signatures(user: User, signatures: list[tuple[str, dict[str, Any]]]) -> list[Consent]:
    """Store every signature (consent id, values) and mark each version as signed for the person: one transaction,
    all or nothing. A version the person has signed meanwhile (another tab, a second click) refuses them all."""
    consents = [Consent(consent_id, user_id=user.user_id, **values) for consent_id, values in signatures]
    not_yet_signed = User.user_id.exists()
    for consent in consents:
        entry = User.signed_documents[consent.kind]
        not_yet_signed &= ~entry.exists() | (entry != consent.version)
    try:
        with (
            store_errors(),
            TransactWrite(connection=User._get_connection().connection, client_request_token=uuid.uuid4().hex) as tx,
        ):
            for consent in consents:
                tx.save(consent, condition=Consent.consent_id.does_not_exist())
            tx.update(
                user,
                actions=[User.signed_documents[consent.kind].set(consent.version) for consent in consents],
                condition=not_yet_signed,
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise Conflict("signature") from None
        raise
    return consents


def record_withdrawal(consents: list[Consent], user: User, at: str, ip: str) -> None:
    """Withdraw once, in one transaction: each signature records when and from where; the person's documents are
    no longer in force. A signature withdrawn or re-signed meanwhile refuses it all."""
    try:
        with (
            store_errors(),
            TransactWrite(connection=User._get_connection().connection, client_request_token=uuid.uuid4().hex) as tx,
        ):
            still_signed = User.user_id.exists()
            for consent in consents:
                tx.update(
                    consent,
                    actions=[Consent.withdrawn_at.set(at), Consent.withdrawn_ip.set(ip)],
                    condition=Consent.withdrawn_at.does_not_exist(),
                )
                still_signed &= User.signed_documents[consent.kind] == consent.version
            tx.update(
                user,
                actions=[User.signed_documents[consent.kind].set("") for consent in consents],
                condition=still_signed,
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise Conflict("withdrawal") from None
        raise


def get_consent(consent_id: str) -> Consent | None:
    return get_or_none(Consent, consent_id)


def consents_of(user_id: str) -> list[Consent]:
    with store_errors():
        return list(Consent.by_user.query(user_id, scan_index_forward=False))
