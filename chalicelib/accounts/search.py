"""The registry finds a patient: by surname (a prefix; case and ё/е do not matter), phone, card number or email.

Each kind is one DynamoDB read on its own key (chalicelib/storage/patient_search.py; the email is the login's
key), never a Scan; a page at a time with an opaque cursor. Every patient shown goes into the audit log first.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Literal, cast

from chalicelib import audit, mail, roles
from chalicelib.accounts.sessions import Principal
from chalicelib.errors import ValidationFailed
from chalicelib.i18n import t
from chalicelib.storage import accounts as store
from chalicelib.storage import patient_search as index
from chalicelib.storage.records import User

Kind = Literal["surname", "phone", "card", "email"]
PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
_CARD = re.compile(r"\d{4}-\d{0,6}")
_PHONE = re.compile(r"(\+7|8|7)[\d\s()\-]*")
_USER_ID = re.compile(r"[0-9a-f]{32}")


def kind_of(query: str) -> Kind:
    """What was typed: an @ is an email; 2026-000123 (or its start) a card number; digits after +7 or 8
    (spaces, dashes, brackets allowed) a phone; anything else a surname."""
    text = query.strip()
    if "@" in text:
        return "email"
    if _CARD.fullmatch(text):
        return "card"
    if _PHONE.fullmatch(text) and any(c.isdigit() for c in text):
        return "phone"
    return "surname"


def _prefix(kind: Kind, query: str) -> str:
    """The normalized prefix to look for; a refusal that says what to type when it names no partition."""
    if kind == "surname":
        prefix = index.surname_key(query)
    elif kind == "phone":
        digits = re.sub(r"\D", "", query)
        prefix = "7" + digits[1:] if digits.startswith("8") and not query.strip().startswith("+") else digits
    else:
        prefix = index.card_key(query)
    if index.head(cast(index.Kind, kind), prefix) is None:
        raise ValidationFailed("search too short", fields={"q": t(f"fields.search_short_{kind}")})
    return prefix


def _cursor(kind: Kind, prefix: str, key: str, user_id: str) -> str:
    raw = json.dumps({"k": kind, "q": prefix, "key": key, "id": user_id}, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(kind: Kind, prefix: str, cursor: str) -> tuple[str, str]:
    """Where the page starts: a cursor made by us for this very search, or a refusal."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        key, user_id = str(data["key"]), str(data["id"])
        valid = data["k"] == kind and data["q"] == prefix and key.startswith(prefix) and _USER_ID.fullmatch(user_id)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        valid = False
    if not valid:
        raise ValidationFailed("cursor", fields={"next": t("fields.bad_cursor_search")})
    return key, user_id


def found_view(user: User) -> dict[str, Any]:
    """A result as the registrar sees it: the email's domain in its own letters (почта.рф, not xn--…)."""
    return {
        "id": user.user_id,
        "full_name": user.full_name,
        "email": mail.display_address(user.email),
        "phone": user.phone,
        "birth_date": user.birth_date,
        "card_number": user.card_number,
    }


def _by_email(query: str) -> list[User]:
    """The login is the email's key: one read (and one more for the other spelling of an international domain)."""
    typed = query.strip().lower()
    for spelling in dict.fromkeys((typed, mail.display_address(typed), mail.ascii_address(typed))):
        user = store.user_by_login(spelling) if spelling else None
        if user is not None:
            return [user] if roles.PATIENT in (user.roles or set()) else []
    return []


def find_patients(
    staff: Principal,
    q: str,
    by: Kind | None = None,
    next: str | None = None,
    limit: int | None = None,
    *,
    ip: str = "",
    user_agent: str = "",
) -> dict[str, Any]:
    """One page of patients matching `q` (as `by`, or as what it looks like), and the cursor of the next page."""
    kind = by or kind_of(q)
    size = min(max(int(limit or PAGE_SIZE), 1), MAX_PAGE_SIZE)
    following = None
    if kind == "email":
        page = _by_email(q)
    else:
        prefix = _prefix(kind, q)
        search = kind
        # One more than the page: whether another page follows is known without an empty last page.
        found = index.find(search, prefix, size + 1, _after(kind, prefix, next) if next else None)
        page = found[:size]
        if len(found) > size:
            following = _cursor(kind, prefix, index.sort_key(search, page[-1]), page[-1].user_id)
    for user in page:
        audit.record(staff, "find_patient", "patient", user.user_id, user.user_id, ip, user_agent)
    return {"kind": kind, "patients": [found_view(user) for user in page], "next": following}
