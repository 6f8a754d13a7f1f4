"""Sign-in throttling: short, growing delays, never a long lock-out.

After `ACCOUNT_FAILURES` failed sign-ins on one login within the window,
each further failure makes the next try wait: 15 s, 30 s, 60 s ... at most
5 minutes. An address gets the same treatment after more failures, across
logins. A success clears the login's count. The real user is never locked
out for long, whoever is guessing.

Every attempt is claimed with one conditional write *before* the password is
checked, first for the login, then for the address: within the allowance the
write counts it (while fewer than the allowance are counted); past it, one
attempt per delay is let through, and its write starts the next delay at once,
as if it failed. So attempts made in parallel are counted as they start, and
at most the allowance of them are ever judged. A failure then has nothing left
to write; a success clears the login's count and gives the address its attempt
back (people behind one address sign in all day), as does an attempt that was
never judged.

Password-reset emails are counted the same way, per login and per address
(`RESET_PER_LOGIN`, `RESET_PER_ADDRESS` an hour); beyond them no email goes out,
and the answer says nothing either way.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from chalicelib.clock import now
from chalicelib.errors import TooManyAttempts
from chalicelib.i18n import count
from chalicelib.logs import log_event
from chalicelib.storage import accounts as store

WINDOW = dt.timedelta(minutes=15)
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 30
FIRST_DELAY_S = 15
LONGEST_DELAY_S = 300

RESET_WINDOW = dt.timedelta(hours=1)
RESET_PER_LOGIN = 3
RESET_PER_ADDRESS = 20

# Claims that lose a race re-read and try again this many times (then the caller is asked to wait).
_CLAIM_ROUNDS = 4


def _keys(login: str, address: str) -> list[tuple[str, int]]:
    keys = [(f"login:{login}", ACCOUNT_FAILURES)]
    if address:
        keys.append((f"address:{address}", ADDRESS_FAILURES))
    return keys


def delay_after(failures: int, allowed: int) -> int:
    """Seconds to wait after the `failures`-th failure (0 while within the allowance)."""
    if failures < allowed:
        return 0
    return min(FIRST_DELAY_S * (1 << (failures - allowed)), LONGEST_DELAY_S)  # doubling with every failure


@dataclass(frozen=True)
class _Claimed:
    key: str
    window_started_at: dt.datetime
    blocked_until: dt.datetime | None


@dataclass
class Attempt:
    """The attempts claimed for one sign-in (login, then address), to be settled once it is judged."""

    login: str
    claims: list[_Claimed] = field(default_factory=list)

    def failed(self) -> None:
        """Counted already, and the delay it brings already runs: nothing to write."""
        self.claims = []

    def succeeded(self) -> None:
        """The login's count is cleared; the address gets its attempt back."""
        store.clear_throttle(f"login:{self.login}")
        self._give_back(skip_login=True)

    def not_judged(self) -> None:
        """The password was never judged (an error on the way): every claim is given back."""
        self._give_back(skip_login=False)

    def _give_back(self, *, skip_login: bool) -> None:
        claims, self.claims = self.claims, []
        for claim in claims:
            if skip_login and claim.key == f"login:{self.login}":
                continue
            store.give_back_attempt(claim.key, claim.window_started_at, claim.blocked_until)


def _refusal(key: str, blocked_until: dt.datetime | None, current: dt.datetime) -> TooManyAttempts:
    wait = (
        math.ceil((blocked_until - current).total_seconds())
        if blocked_until and blocked_until > current
        else FIRST_DELAY_S
    )
    return TooManyAttempts(key.split(":", 1)[0], retry_after=wait, wait=count(wait, "seconds"))


def _claim_one(key: str, allowed: int, current: dt.datetime) -> _Claimed:
    # Within the allowance but for its last attempt: a failure brings no delay, counting is all.
    item = store.count_attempt(key, current, WINDOW, limit=allowed - 1)
    if item is not None:
        return _Claimed(key, item.window_started_at, None)
    seen = None
    for _ in range(_CLAIM_ROUNDS):
        seen = store.get_throttle(key)
        if seen is not None and seen.blocked_until and seen.blocked_until > current:
            raise _refusal(key, seen.blocked_until, current)
        if seen is None or seen.window_started_at < current - WINDOW:
            item = store.count_attempt(key, current, WINDOW, limit=allowed - 1)
            if item is not None:
                return _Claimed(key, item.window_started_at, None)
            continue
        # The allowance's last attempt, or the one attempt let through once a delay ran out.
        next_block = current + dt.timedelta(seconds=delay_after(int(seen.failures) + 1, allowed))
        if store.count_attempt_after_delay(seen, current, WINDOW, next_block) is not None:
            return _Claimed(key, seen.window_started_at, next_block)
    raise _refusal(key, seen.blocked_until if seen is not None else None, current)


def claim(login: str, address: str) -> Attempt:
    """Claim one attempt for the login and the address before the password is checked; refused
    (`TooManyAttempts`, with the seconds to wait) while a delay runs or the allowance is in use."""
    current = now()
    attempt = Attempt(login)
    for key, allowed in _keys(login, address):
        try:
            attempt.claims.append(_claim_one(key, allowed, current))
        except TooManyAttempts:
            attempt.not_judged()
            log_event("sign_in_throttled", on=key.split(":", 1)[0])
            raise
    return attempt


def may_send_reset(login: str, address: str) -> bool:
    """Count a password-reset request for the login and the address; False beyond either allowance."""
    current = now()
    login_item = store.count_attempt(f"reset-login:{login}", current, RESET_WINDOW, RESET_PER_LOGIN)
    if login_item is None:
        log_event("password_reset_throttled", on="login")
        return False
    if address and store.count_attempt(f"reset-address:{address}", current, RESET_WINDOW, RESET_PER_ADDRESS) is None:
        store.give_back_attempt(f"reset-login:{login}", login_item.window_started_at, None)
        log_event("password_reset_throttled", on="address")
        return False
    return True
