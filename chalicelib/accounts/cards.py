"""The registry's work: the request queue and opening medical cards with credentials."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from chalicelib import audit, mail, roles
from chalicelib.accounts import passwords, sessions
from chalicelib.accounts.sessions import Principal
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.errors import AdminOnly, Conflict, NotFound, Unavailable, ValidationFailed
from chalicelib.i18n import t
from chalicelib.legal import withdrawal
from chalicelib.logs import log_event
from chalicelib.storage import accounts as store
from chalicelib.storage.records import RegistrationRequest, User
from chalicelib.timefmt import format_datetime

TEMPORARY_PASSWORD_VALID_FOR = dt.timedelta(hours=72)
REQUEST_STATUSES = ("new", "done", "rejected")


# The public request form -----------------------------------------------------


def request_view(item: RegistrationRequest) -> dict[str, Any]:
    return {
        "id": item.request_id,
        "full_name": item.full_name,
        "email": item.email,
        "phone": item.phone,
        "comment": item.comment or "",
        "status": item.status,
        "created_at": item.created_at,
        "handled_at": item.handled_at,
    }


def submit_request(full_name: str, email: str, phone: str, comment: str | None) -> dict[str, Any]:
    item = store.put_request(
        uuid.uuid4().hex,
        full_name=full_name,
        email=email,
        phone=phone,
        comment=comment or None,
        status="new",
        created_at=now().isoformat(),
    )
    log_event("registration_request", request_id=item.request_id)
    return request_view(item)


def request_queue(status: str) -> list[dict[str, Any]]:
    return [request_view(item) for item in store.requests_with_status(status)]


def set_request_status(staff: Principal, request_id: str, status: str) -> dict[str, Any]:
    item = store.get_request(request_id)
    if item is None:
        raise NotFound("registration request")
    if item.status == status:
        return request_view(item)
    if not store.set_request_status(item, status, expected=item.status, by=staff.user_id, at=now().isoformat()):
        raise Conflict("request changed meanwhile")
    return request_view(store.get_request(request_id) or item)


# Medical cards -----------------------------------------------------------------


def card_number(sequence: int, year: int) -> str:
    return f"{year}-{sequence:06d}"


def patient_view(user: User) -> dict[str, Any]:
    return {
        "id": user.user_id,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "birth_date": user.birth_date,
        "card_number": user.card_number,
        "roles": sorted(user.roles or ()),
        "must_change_password": bool(user.must_change_password),
    }


def _check_birth_date(birth_date: str) -> None:
    day = dt.date.fromisoformat(birth_date)
    if day > now().date() or day.year < 1900:
        raise ValidationFailed("birth date", fields={"birth_date": t("fields.birth_date")})


def open_card(
    staff: Principal, full_name: str, email: str, phone: str, birth_date: str, request_id: str | None = None
) -> dict[str, Any]:
    """Open the medical card: the patient's account, its card number, and the credentials by email."""
    _check_birth_date(birth_date)
    request = store.get_request(request_id) if request_id else None
    if request_id and request is None:
        raise ValidationFailed("request", fields={"request_id": t("fields.unknown_request")})
    current = now()
    password = passwords.temporary_password()
    expires = current + TEMPORARY_PASSWORD_VALID_FOR
    user = store.new_user(
        uuid.uuid4().hex,
        email=email,
        full_name=full_name,
        phone=phone,
        birth_date=birth_date,
        roles={roles.PATIENT},
        must_change_password=True,
        created_at=current,
        password_hash=passwords.hash_password(password),
        temporary_password_expires_at=expires,
        card_number=card_number(store.next_card_number(), current.year),
    )
    store.create_user(user)
    log_event("medical_card_opened", user_id=user.user_id, by=staff.user_id)
    if request is not None:
        # Done only if still new: the write's condition checks that now (no second read).
        store.set_request_status(request, "done", expected="new", by=staff.user_id, at=current.isoformat())
    view = patient_view(user)
    view["credentials_sent"] = _send_credentials(user, password, expires, reason="new_card")
    return view


def works_here(user: User) -> bool:
    """Holds a role besides the patient's (doctor, registrar, admin)."""
    return bool(set(user.roles or ()) - {roles.PATIENT})


def resend_credentials(staff: Principal, user_id: str) -> dict[str, Any]:
    """A new temporary password by email; the old one (and any sessions) stop working.
    The registry does this for patients; a staff account's credentials only an admin re-issues."""
    user = store.get_user(user_id)
    if user is None:
        raise NotFound("user")
    if not staff.has(roles.ADMIN):
        if works_here(user):
            raise AdminOnly("credentials of a staff account")
        if roles.PATIENT not in (user.roles or set()):
            raise NotFound("patient")
    password = passwords.temporary_password()
    expires = now() + TEMPORARY_PASSWORD_VALID_FOR
    store.set_password(
        user, passwords.hash_password(password), must_change=True, temporary_until=expires, changed_at=now()
    )
    sessions.end_others(user.user_id)
    log_event("credentials_reissued", user_id=user.user_id, by=staff.user_id)
    view = patient_view(store.get_user(user_id) or user)
    view["credentials_sent"] = _send_credentials(user, password, expires, reason="reissued")
    return view


def ensure_person_with_role(staff: Principal, email: str, full_name: str, role: str) -> str:
    """The user id of the person with `email`, given `role`; a new person gets credentials by email."""
    existing = store.user_by_login(email)
    if existing is not None:
        # The registry may give a patient a role; one's own account, and anyone who already works here
        # (whose sessions open staff pages), only an admin.
        if (existing.user_id == staff.user_id or works_here(existing)) and not staff.has(roles.ADMIN):
            raise AdminOnly("role for a staff account or oneself")
        if role not in (existing.roles or set()):
            store.add_role(existing, role)
            sessions.refresh(store.get_user(existing.user_id) or existing)
        return existing.user_id
    current = now()
    password = passwords.temporary_password()
    expires = current + TEMPORARY_PASSWORD_VALID_FOR
    user = store.new_user(
        uuid.uuid4().hex,
        email=email,
        full_name=full_name,
        roles={role},
        must_change_password=True,
        password_hash=passwords.hash_password(password),
        temporary_password_expires_at=expires,
        created_at=current,
    )
    store.create_user(user)
    log_event("account_opened", user_id=user.user_id, role=role, by=staff.user_id)
    _send_credentials(user, password, expires, reason="new_account")
    return user.user_id


def open_first_admin(email: str, full_name: str) -> tuple[User, str, dt.datetime]:
    """A fresh deployment's first administrator (also a registrar), opened by the operator from a shell with
    the AWS account's credentials: nobody can sign in to do it yet. (the person, the temporary password to
    hand over in person, until when it works). The login must be free; the first sign-in asks for a new password."""
    login = email.strip().lower()
    if "@" not in login or not full_name.strip():
        raise ValidationFailed("first admin", fields={"email": t("fields.required")})
    current = now()
    password = passwords.temporary_password()
    expires = current + TEMPORARY_PASSWORD_VALID_FOR
    user = store.new_user(
        uuid.uuid4().hex,
        email=login,
        full_name=full_name.strip(),
        roles={roles.ADMIN, roles.REGISTRAR},
        must_change_password=True,
        password_hash=passwords.hash_password(password),
        temporary_password_expires_at=expires,
        created_at=current,
    )
    store.create_user(user)  # the login is claimed in the same transaction: EmailTaken if someone has it
    log_event("account_opened", user_id=user.user_id, role=roles.ADMIN, by="operator")
    return user, password, expires


def find_patient(staff: Principal, email: str, ip: str = "", user_agent: str = "") -> dict[str, Any]:
    """A patient's card by exact email (the audit log records the read); staff accounts are not patients and
    look like no one. The registry's search box uses `accounts.search` (surname, phone, card, email)."""
    user = store.user_by_login(email.strip().lower())
    if user is None or roles.PATIENT not in (user.roles or set()):
        raise NotFound("patient")
    audit.record(staff, "find_patient", "patient", user.user_id, user.user_id, ip, user_agent)
    view = patient_view(user)
    view["email"] = mail.display_address(user.email)
    view["personal_data_withdrawn_at"] = withdrawal.personal_data_withdrawn_at(user)
    return view


def _send_credentials(user: User, password: str, expires: dt.datetime, reason: str) -> bool:
    """Email the login and temporary password; False when mail could not be sent now."""
    try:
        mail.send(
            user.email,
            "credentials",
            {
                "full_name": user.full_name,
                "reason": reason,
                "card_number": user.card_number,
                "login": user.email,
                "password": password,
                "login_url": f"{settings().public_base_url}/login",
                "valid_until": format_datetime(expires),
            },
        )
    except Unavailable:
        return False
    return True
