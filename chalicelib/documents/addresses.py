"""A paid booking's own documents address: docs+<token>@<the domain of the clinic's documents address>.

The token is 160 random bits (32 base32 letters, lower case, so a mail client that changes the case of the
address still delivers). Only mail to this address attaches files to the booking. The booking keeps the token
to show its patient; the lookup item (DocumentsAddress) is keyed by the token's SHA-256, so the mail handler
finds the booking with one read and a copy of that table names no address.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from email.utils import parseaddr

from chalicelib.config import settings
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import documents as store
from chalicelib.storage.records import Booking, DocumentsAddress

PREFIX = "docs"
_TOKEN = re.compile(r"^[a-z2-7]{32}$")


def _domain() -> str:
    return parseaddr(settings().documents_address)[1].rsplit("@", 1)[-1].lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def new_address(booking: Booking, created_at: str) -> tuple[DocumentsAddress, str]:
    """(the lookup item to write with the payment, the raw token to keep on the booking)."""
    token = base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()
    item = store.new_documents_address(token_hash(token), booking.booking_id, booking.patient_id, created_at)
    return item, token


def address(token: str | None) -> str | None:
    return f"{PREFIX}+{token}@{_domain()}" if token else None


def token_in(recipient: str) -> str | None:
    """The token when `recipient` has the shape of a documents address of ours (it may still be unknown)."""
    local, _, domain = recipient.strip().lower().rpartition("@")
    if domain != _domain() or not local.startswith(PREFIX + "+"):
        return None
    token = local[len(PREFIX) + 1 :]
    return token if _TOKEN.match(token) else None


def is_general(recipient: str) -> bool:
    return recipient.strip().lower() == parseaddr(settings().documents_address)[1].lower()


def booking_for(token: str) -> Booking | None:
    item = store.documents_address(token_hash(token))
    if item is None:
        return None
    booking = booking_store.get_booking(item.booking_id)
    # The booking must still name this token (compared in constant time).
    if (
        booking is None
        or not booking.documents_token
        or not secrets.compare_digest(str(booking.documents_token), token)
    ):
        return None
    return booking
