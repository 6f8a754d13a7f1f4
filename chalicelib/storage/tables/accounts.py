"""People, their logins and sessions, one-time tokens, sign-in throttles, registration requests, card numbers."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.storage.tables.base import table_meta

# The registry's search: one index per key, each a Query by `begins_with` on the sort key within ONE partition,
# named by the start of what was typed (so a prefix never spans partitions): the surname's first letter, the phone's
# first four digits (country + operator code), the card number's year. Partitions spread by letter, code and year;
# an index has no size limit per partition, and cards are opened a few a minute, far below a partition's write rate.
# Only patients carry the keys (chalicelib/storage/accounts.py writes them), so staff are never found.
# The answer is read from the index alone: it projects what a result shows.
_FOUND = ["full_name", "email", "phone", "birth_date", "card_number"]


class UsersBySurname(GlobalSecondaryIndex["User"]):
    class Meta:
        index_name = "by_surname"
        projection = IncludeProjection(_FOUND)

    surname_head = UnicodeAttribute(hash_key=True)
    surname_key = UnicodeAttribute(range_key=True)


class UsersByPhone(GlobalSecondaryIndex["User"]):
    class Meta:
        index_name = "by_phone"
        projection = IncludeProjection(_FOUND)

    phone_head = UnicodeAttribute(hash_key=True)
    phone_key = UnicodeAttribute(range_key=True)


class UsersByCard(GlobalSecondaryIndex["User"]):
    class Meta:
        index_name = "by_card"
        projection = IncludeProjection(_FOUND)

    card_head = UnicodeAttribute(hash_key=True)
    card_key = UnicodeAttribute(range_key=True)


class User(Model):
    """A person: patient, doctor, registrar or admin (roles may combine)."""

    Meta = table_meta("users")
    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    full_name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    birth_date = UnicodeAttribute(null=True)
    card_number = UnicodeAttribute(null=True)
    roles = UnicodeSetAttribute(default=set)
    password_hash = UnicodeAttribute(null=True)
    must_change_password = BooleanAttribute(default=False)
    temporary_password_expires_at = UTCDateTimeAttribute(null=True)
    password_changed_at = UTCDateTimeAttribute(null=True)
    # Legal documents in force for this person: kind -> signed version ("" after a withdrawal).
    # Values typed Any: on the class, `User.signed_documents[kind]` is a path for conditions and updates.
    signed_documents: MapAttribute[str, Any] = MapAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    # A patient's search keys (normalized; see the indexes above).
    surname_head = UnicodeAttribute(null=True)
    surname_key = UnicodeAttribute(null=True)
    phone_head = UnicodeAttribute(null=True)
    phone_key = UnicodeAttribute(null=True)
    card_head = UnicodeAttribute(null=True)
    card_key = UnicodeAttribute(null=True)
    # SMS reminders (chalicelib/sms/): the patient's consent, the mobile number they go to (E.164, kept only while
    # consented), when the consent was last given or withdrawn (UTC).
    sms_reminders = BooleanAttribute(null=True)
    sms_phone = UnicodeAttribute(null=True)
    sms_changed_at = UnicodeAttribute(null=True)
    by_surname = UsersBySurname()
    by_phone = UsersByPhone()
    by_card = UsersByCard()


class Login(Model):
    """The login (email, lower-cased) that belongs to one user; its key keeps emails unique."""

    Meta = table_meta("logins")
    email = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()


class SessionsByUser(GlobalSecondaryIndex["Session"]):
    class Meta:
        index_name = "by_user"
        projection = KeysOnlyProjection()

    user_id = UnicodeAttribute(hash_key=True)


class Session(Model):
    """A signed-in browser. Only the SHA-256 of the token is stored.

    It carries a copy of what authorization needs about the person (roles,
    name, whether the password must change, signed documents), so a request
    costs one read; every change to those rewrites the person's sessions.
    """

    Meta = table_meta("sessions")
    token_hash = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    full_name = UnicodeAttribute()
    roles = UnicodeSetAttribute(default=set)
    must_change_password = BooleanAttribute(default=False)
    # Started by signing in with the temporary password from the email (chalicelib/accounts/sessions.py).
    temporary_sign_in = BooleanAttribute(default=False)
    signed_documents: MapAttribute[str, Any] = MapAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()
    by_user = SessionsByUser()


class OneTimeToken(Model):
    """A single-use token (password reset), stored as its SHA-256."""

    Meta = table_meta("tokens")
    token_hash = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    user_id = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute()


class Throttle(Model):
    """Failed sign-in attempts for one account or one address, in a sliding window."""

    Meta = table_meta("throttles")
    key = UnicodeAttribute(hash_key=True)
    window_started_at = UTCDateTimeAttribute()
    failures = NumberAttribute(default=0)
    strikes = NumberAttribute(default=0)
    blocked_until = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute()


class RequestsByStatus(GlobalSecondaryIndex["RegistrationRequest"]):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RegistrationRequest(Model):
    """A request from the public form to open a medical card."""

    Meta = table_meta("registration-requests")
    request_id = UnicodeAttribute(hash_key=True)
    full_name = UnicodeAttribute()
    email = UnicodeAttribute()
    phone = UnicodeAttribute()
    comment = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    handled_by = UnicodeAttribute(null=True)
    handled_at = UnicodeAttribute(null=True)
    by_status = RequestsByStatus()


class Counter(Model):
    """Monotonic counters (medical card numbers), advanced with an atomic ADD."""

    Meta = table_meta("counters")
    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)
