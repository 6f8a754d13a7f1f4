"""The audit log: every read of a booking, an attachment or a conclusion by anyone but its patient."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from typing import Any

from chalicelib.clock import now
from chalicelib.errors import ValidationFailed
from chalicelib.i18n import t
from chalicelib.storage import audit as store
from chalicelib.timefmt import clinic_zone


def record(
    principal: Any,
    action: str,
    target_type: str,
    target_id: str,
    patient_id: str | None,
    ip: str = "",
    user_agent: str = "",
    *,
    own_too: bool = False,
) -> None:
    """Write the entry (before the data is answered) unless the reader is the patient themself (`own_too`: even
    then — a patient taking all their data away in one archive)."""
    if not own_too and principal is not None and patient_id is not None and principal.user_id == patient_id:
        return
    current = now()
    store.append(
        current.astimezone(clinic_zone()).strftime("%Y-%m-%d"),
        f"{current.isoformat()}#{uuid.uuid4().hex[:8]}",
        actor_id=getattr(principal, "user_id", "anonymous"),
        actor_name=getattr(principal, "full_name", "—"),
        actor_roles=",".join(sorted(getattr(principal, "roles", ()) or ())),
        action=action,
        target_type=target_type,
        target_id=target_id,
        patient_id=patient_id,
        ip=ip or None,
        user_agent=(user_agent or "")[:300] or None,
    )


PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
_AT_ID = re.compile(r"\d{4}-\d{2}-\d{2}T[0-9:.]+(?:\+00:00|Z)?#[0-9a-f]{8}")


def _cursor(day: str, at_id: str) -> str:
    return base64.urlsafe_b64encode(f"{day}|{at_id}".encode()).decode().rstrip("=")


def _position(day: str, cursor: str) -> str:
    """The entry after which the page starts; a token not made by us for this day is refused."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        token_day, at_id = text.split("|", 1)
    except (ValueError, UnicodeDecodeError):
        token_day, at_id = "", ""
    if token_day != day or not _AT_ID.fullmatch(at_id):
        raise ValidationFailed("cursor", fields={"next": t("fields.bad_cursor")})
    return at_id


def entries(day: str | None, cursor: str | None = None, limit: int | None = None) -> dict[str, Any]:
    """One page of a day's entries, newest first, and the cursor of the next page (None after the last)."""
    chosen = day or now().astimezone(clinic_zone()).strftime("%Y-%m-%d")
    dt.date.fromisoformat(chosen)
    size = min(max(int(limit or PAGE_SIZE), 1), MAX_PAGE_SIZE)
    # One more than the page: whether another page follows is known without an empty last page.
    found = store.day_page(chosen, size + 1, _position(chosen, cursor) if cursor else None)
    page = found[:size]
    following = _cursor(chosen, page[-1].at_id) if len(found) > size else None
    return {
        "entries": [
            {
                "at": e.at_id.split("#")[0],
                "actor_id": e.actor_id,
                "actor_name": e.actor_name,
                "actor_roles": e.actor_roles.split(",") if e.actor_roles else [],
                "action": e.action,
                "target_type": e.target_type,
                "target_id": e.target_id,
                "patient_id": e.patient_id,
                "ip": e.ip,
                "user_agent": e.user_agent,
            }
            for e in page
        ],
        "next": following,
    }
