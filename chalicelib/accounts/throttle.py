"""Sign-in throttling: short, growing delays, never a long lock-out.

After `ACCOUNT_FAILURES` failed sign-ins on one login within the window,
each further failure makes the next try wait: 15 s, 30 s, 60 s ... at most
5 minutes. An address gets the same treatment after more failures, across
logins. A success clears the login's count. The real user is never locked
out for long, whoever is guessing.
"""
from __future__ import annotations

import datetime as dt
import math

from chalicelib.clock import now
from chalicelib.errors import TooManyAttempts
from chalicelib.storage import accounts as store

WINDOW = dt.timedelta(minutes=15)
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 30
FIRST_DELAY_S = 15
LONGEST_DELAY_S = 300


def _keys(login: str, address: str) -> list[tuple[str, int]]:
    keys = [(f"login:{login}", ACCOUNT_FAILURES)]
    if address:
        keys.append((f"address:{address}", ADDRESS_FAILURES))
    return keys


def delay_after(failures: int, allowed: int) -> int:
    """Seconds to wait after the `failures`-th failure (0 while within the allowance)."""
    if failures < allowed:
        return 0
    return min(FIRST_DELAY_S * 2 ** (failures - allowed), LONGEST_DELAY_S)


def check(login: str, address: str) -> None:
    """Refuse a try while a delay runs for the login or the address."""
    current = now()
    for key, _ in _keys(login, address):
        item = store.get_throttle(key)
        if item and item.blocked_until and item.blocked_until > current:
            wait = math.ceil((item.blocked_until - current).total_seconds())
            raise TooManyAttempts(key.split(":", 1)[0], retry_after=wait, seconds=wait)


def record_failure(login: str, address: str) -> None:
    current = now()
    for key, allowed in _keys(login, address):
        item = store.add_failure(key, current, WINDOW)
        wait = delay_after(int(item.failures), allowed)
        if wait:
            store.block(key, current + dt.timedelta(seconds=wait))


def record_success(login: str) -> None:
    store.clear_throttle(f"login:{login}")
