"""Who may call a route. Every route names one of these; there is no default.

Roles are checked here; ownership (this patient's booking, this doctor's
consultation) is checked by the domain function that loads the record, which
answers 404 to anyone else so that records cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.errors import Forbidden, NotSignedIn, PasswordChangeRequired


@dataclass(frozen=True)
class Access:
    label: str
    signed_in: bool = False
    roles: frozenset[str] = frozenset()
    # Routes a person may use while the temporary password still has to be replaced.
    during_password_change: bool = False

    def check(self, call: Any) -> None:
        """Raise a domain error when the caller may not use the route."""
        if not self.signed_in:
            return
        principal = call.principal
        if principal is None:
            raise NotSignedIn()
        if principal.must_change_password and not self.during_password_change:
            raise PasswordChangeRequired()
        if self.roles and not principal.has(*self.roles):
            raise Forbidden()


ANYONE = Access("anyone")
SIGNED_IN = Access("signed_in", signed_in=True)
# Sign out, who am I, set the new password: usable before the temporary password is replaced.
SIGNED_IN_ANY_STATE = Access("signed_in_any_state", signed_in=True, during_password_change=True)


# Who is signed in, if anybody: open to all, and usable while the temporary password still has to be replaced.
ANYONE_ANY_STATE = Access("anyone_any_state", during_password_change=True)


def role(*names: str) -> Access:
    return Access("role:" + ",".join(sorted(names)), signed_in=True, roles=frozenset(names))
