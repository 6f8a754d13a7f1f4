"""The patient's consent to SMS reminders: on with a mobile number (the card's, or one typed), off in one click."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.sessions import Principal
from chalicelib.clock import now
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.i18n import t
from chalicelib.logs import log_event
from chalicelib.sms.numbers import is_mobile, mobile_e164
from chalicelib.storage import accounts as store
from chalicelib.storage.records import User


def view(user: User) -> dict[str, Any]:
    """What the personal page shows: on or off, the number, since when; the card's number when it is a mobile one
    (offered for turning them on)."""
    enabled = bool(user.sms_reminders) and bool(user.sms_phone)
    return {
        "enabled": enabled,
        "phone": user.sms_phone if enabled else None,
        "card_phone": user.phone if is_mobile(user.phone) else None,
        "changed_at": user.sms_changed_at,
    }


def _user(principal: Principal) -> User:
    user = store.get_user(principal.user_id)
    if user is None:
        raise NotFound("user")
    return user


def preferences(principal: Principal) -> dict[str, Any]:
    return view(_user(principal))


def change(principal: Principal, enabled: bool, phone: str | None) -> dict[str, Any]:
    """On: the number typed, else the card's, checked as a Russian mobile number (E.164 kept). Off: the number is
    forgotten. Either way the time is recorded."""
    user = _user(principal)
    number = None
    if enabled:
        given = phone or user.phone
        if not given:
            raise ValidationFailed("no phone", fields={"phone": t("sms.phone_required")})
        number = mobile_e164(given)
    at = now().isoformat()
    store.set_sms_reminders(user, enabled, number, at)
    log_event("sms_reminders_changed", user_id=user.user_id, enabled=enabled)  # never the number
    user.sms_reminders, user.sms_phone, user.sms_changed_at = enabled, number, at
    return view(user)
