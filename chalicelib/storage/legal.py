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


def record_signature(user: User, consent_id: str, **values: Any) -> Consent:
    """Store the signature and mark the version as signed for the person, in one transaction."""
    consent = Consent(consent_id, user_id=user.user_id, **values)
    try:
        with (
            store_errors(),
            TransactWrite(connection=User._get_connection().connection, client_request_token=uuid.uuid4().hex) as tx,
        ):
            tx.save(consent, condition=Consent.consent_id.does_not_exist())
            tx.update(
                user,
                actions=[User.signed_documents[consent.kind].set(consent.version)],
                condition=User.user_id.exists(),
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise Conflict("signature") from None
        raise
    return consent


def record_withdrawal(consent: Consent, user: User, at: str, ip: str) -> None:
    """Withdraw once: the signature records when and from where; the person's document is no longer in force."""
    try:
        with (
            store_errors(),
            TransactWrite(connection=User._get_connection().connection, client_request_token=uuid.uuid4().hex) as tx,
        ):
            tx.update(
                consent,
                actions=[Consent.withdrawn_at.set(at), Consent.withdrawn_ip.set(ip)],
                condition=Consent.withdrawn_at.does_not_exist(),
            )
            tx.update(
                user,
                actions=[User.signed_documents[consent.kind].set("")],
                condition=User.signed_documents[consent.kind] == consent.version,
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
