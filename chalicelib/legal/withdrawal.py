"""Withdrawing a consent: what it changes, said before the patient confirms; the withdrawal itself; what the
registry sees.

What stops, what goes on and what is kept are named per document in the manifest (`documents.json`); their words
are the locale's (`legal.withdrawal.*`) and the retention periods and their legal basis the configuration's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.accounts import sessions
from chalicelib.accounts.sessions import Principal
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.errors import DomainError
from chalicelib.i18n import count, t
from chalicelib.legal import documents
from chalicelib.legal.consents import own, person, view
from chalicelib.logs import log_event
from chalicelib.storage import accounts as account_store
from chalicelib.storage import legal as store
from chalicelib.storage.access import plain
from chalicelib.storage.records import Consent, User
from chalicelib.timefmt import clinic_zone


class NotWithdrawable(DomainError):
    code = "not_withdrawable"


def _kept(key: str) -> str:
    law = settings().legal
    periods = {
        "medical_records": (law.medical_records_years, law.medical_records_basis),
        "payment_records": (law.payment_records_years, law.payment_records_basis),
    }
    if key in periods:
        years, basis = periods[key]
        return t(f"legal.withdrawal.kept.{key}", years=count(years, "years"), basis=basis)
    return t(f"legal.withdrawal.kept.{key}")


def consequences(principal: Principal, consent_id: str) -> dict[str, Any]:
    """What withdrawing this signature would do, in words the patient reads before confirming."""
    consent = own(principal, consent_id)
    entry = documents.entry(consent.kind)
    if entry is None or not entry.withdrawable:
        raise NotWithdrawable(consent.kind)
    return {
        "id": consent.consent_id,
        "kind": consent.kind,
        "title": documents.title(consent.kind),
        "stops": [t(f"legal.withdrawal.stops.{key}") for key in entry.stops],
        "continues": [t(f"legal.withdrawal.continues.{key}") for key in entry.continues],
        "kept": [_kept(key) for key in entry.kept],
        "also_withdrawn": [documents.title(kind) for kind in entry.also_withdraws],
    }


def _resting_on(user: User, kinds: tuple[str, ...]) -> list[Consent]:
    """The signatures in force of `kinds` (consents that end with the one withdrawn)."""
    signed = plain(user.signed_documents)
    return [
        consent
        for consent in store.consents_of(user.user_id)
        if consent.kind in kinds and consent.withdrawn_at is None and signed.get(consent.kind) == consent.version
    ]


def withdraw(principal: Principal, consent_id: str, ip: str) -> dict[str, Any]:
    """Withdraw once (with the consents resting on it, in one transaction); a second time changes nothing."""
    consent = own(principal, consent_id)
    entry = documents.entry(consent.kind)
    if entry is None or not entry.withdrawable:
        raise NotWithdrawable(consent.kind)
    if consent.withdrawn_at is not None:
        return view(consent)
    user = person(principal)
    together = [consent, *_resting_on(user, entry.also_withdraws)]
    store.record_withdrawal(together, user, now().isoformat(), ip)
    sessions.refresh(account_store.get_user(user.user_id) or user)
    for each in together:
        log_event("consent_withdrawn", user_id=user.user_id, kind=each.kind)
    return view(store.get_consent(consent_id) or consent)


def personal_data_withdrawn_at(user: User) -> str | None:
    """When the patient withdrew the personal-data consent (in the clinic's zone), if it is not signed again since:
    the registry's card says so."""
    kind = documents.personal_data_kind()
    if plain(user.signed_documents).get(kind):
        return None
    withdrawn = [c.withdrawn_at for c in store.consents_of(user.user_id) if c.kind == kind and c.withdrawn_at]
    if not withdrawn:
        return None
    return dt.datetime.fromisoformat(max(withdrawn)).astimezone(clinic_zone()).isoformat()
