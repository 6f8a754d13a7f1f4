"""Opaque secrets handed to people (session cookies, reset links); only hashes are stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Literal

from chalicelib.accounts import throttle
from chalicelib.clock import now
from chalicelib.logs import log_event
from chalicelib.storage import accounts as store


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# What a reset link says when it is opened ------------------------------------------------------------------------

RESET_CHECK_WINDOW = dt.timedelta(hours=1)
RESET_CHECKS_PER_ADDRESS = 60  # a person opens their link a few times; a clinic's shared address, a few people
ResetLinkState = Literal["valid", "used", "expired", "unknown"]


def reset_link_state(token: str, address: str = "") -> ResetLinkState:
    """Whether a password-reset link still works, read only: the token is not used up, and nothing about whose it
    is comes back. The checks from one address are counted like the reset requests (an hour's allowance)."""
    current = now()
    if address:
        counted = store.count_attempt(
            f"reset-check-address:{address}", current, RESET_CHECK_WINDOW, RESET_CHECKS_PER_ADDRESS
        )
        if counted is None:
            seen = store.get_throttle(f"reset-check-address:{address}")
            ends = (seen.window_started_at + RESET_CHECK_WINDOW) if seen else current + RESET_CHECK_WINDOW
            log_event("password_reset_check_throttled")
            # The same refusal (status, Retry-After, message) as the sign-in's, until this address's hour ends.
            raise throttle._refusal("reset-check-address", ends, current)
    record = store.get_token(token_hash(token))
    if record is None or record.kind != "password_reset":
        return "unknown"
    if record.used_at is not None:
        return "used"
    if record.expires_at <= current:
        return "expired"
    return "valid"
