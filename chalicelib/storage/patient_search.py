"""The registry's search keys on a patient's item, the Query per key, and the backfill of cards opened before them.

The keys are normalized here, once, for writing and for searching alike: a surname (the full name as written,
surname first) lower-cased with ё as е and spaces collapsed; a phone as its E.164 digits (a leading 8 of an
11-digit Russian number read as 7); a card number as written ("2026-000123"). Each key has a head naming its
partition (tables/accounts.py says why), so a prefix is one Query on one partition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from chalicelib import roles
from chalicelib.storage.access import update_if
from chalicelib.storage.errors import store_errors
from chalicelib.storage.tables import User

Kind = Literal["surname", "phone", "card"]
PHONE_HEAD = 4  # country + operator code: the fewest digits a phone search needs
CARD_HEAD = 4  # the year
_NOT_DIGIT = re.compile(r"\D")


def surname_key(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def phone_key(text: str) -> str:
    digits = _NOT_DIGIT.sub("", text)
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits


def card_key(text: str) -> str:
    return "".join(text.split()).upper()


def head(kind: Kind, key: str) -> str | None:
    """The partition a key (or a typed prefix of one) lives in; None when the prefix is too short to name it."""
    size = {"surname": 1, "phone": PHONE_HEAD, "card": CARD_HEAD}[kind]
    return key[:size] if len(key) >= size else None


def keys_of(user: User) -> dict[str, str | None]:
    """The search keys a person's item carries: a patient's, from their name, phone and card; nobody else has any."""
    patient = roles.PATIENT in (user.roles or set())
    keys = {
        "surname": surname_key(user.full_name or "") if patient else "",
        "phone": phone_key(user.phone or "") if patient else "",
        "card": card_key(user.card_number or "") if patient else "",
    }
    values: dict[str, str | None] = {}
    for kind, key in keys.items():
        part = head(kind, key)  # type: ignore[arg-type]
        values[f"{kind}_head"] = part
        values[f"{kind}_key"] = key if part else None
    return values


def set_keys(user: User) -> None:
    """Put the keys on an item about to be written whole (a new person)."""
    for name, value in keys_of(user).items():
        setattr(user, name, value)


def _index(kind: Kind) -> Any:
    return {"surname": User.by_surname, "phone": User.by_phone, "card": User.by_card}[kind]


def _sort_attribute(kind: Kind) -> Any:
    return {"surname": User.surname_key, "phone": User.phone_key, "card": User.card_key}[kind]


def find(kind: Kind, prefix: str, limit: int, after: tuple[str, str] | None = None) -> list[User]:
    """Up to `limit` patients whose `kind` key starts with `prefix` (normalized, long enough to name its partition),
    in key order, after the (key, user id) of the last one of the previous page: one Query on one partition."""
    part = head(kind, prefix)
    if part is None:
        raise ValueError("prefix too short to name a partition")
    start = None
    if after is not None:
        start = {
            "user_id": {"S": after[1]},
            f"{kind}_head": {"S": part},
            f"{kind}_key": {"S": after[0]},
        }
    with store_errors():
        return list(
            _index(kind).query(
                part,
                _sort_attribute(kind).startswith(prefix),
                limit=limit,
                page_size=limit,
                last_evaluated_key=start,
            )
        )


def sort_key(kind: Kind, user: User) -> str:
    return str(getattr(user, f"{kind}_key"))


def backfill(users: Iterable[User] | None = None) -> int:
    """Write the keys on every item that lacks them or holds stale ones; idempotent (run on deploy and by the
    local seed). The only Scan of the search, once per deploy. Each write is conditional on the name, phone and
    card number it was computed from, so a card edited meanwhile is left to its own write. How many were written."""
    written = 0
    with store_errors():
        items = list(users) if users is not None else list(User.scan())
    for user in items:
        wanted = keys_of(user)
        if all(getattr(user, name) == value for name, value in wanted.items()):
            continue
        actions = [
            getattr(User, name).set(value) if value is not None else getattr(User, name).remove()
            for name, value in wanted.items()
        ]
        unchanged = User.user_id.exists()
        for field in ("full_name", "phone", "card_number"):
            attribute = getattr(User, field)
            value = getattr(user, field)
            unchanged &= (attribute == value) if value is not None else attribute.does_not_exist()
        if update_if(user, actions, unchanged):
            written += 1
    return written
