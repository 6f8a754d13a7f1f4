"""The audit log: every read of a booking, an attachment or a conclusion by anyone but its patient."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from chalicelib.clock import now
from chalicelib.storage.errors import store_errors
from chalicelib.storage.tables import AuditEntry


def record(principal: Any, action: str, target_type: str, target_id: str, patient_id: str | None, ip: str = "",
           user_agent: str = "") -> None:
    """Write the entry (before the data is answered) unless the reader is the patient themself."""
    if principal is not None and patient_id is not None and principal.user_id == patient_id:
        return
    from chalicelib.timefmt import clinic_zone

    current = now()
    entry = AuditEntry(current.astimezone(clinic_zone()).strftime("%Y-%m-%d"), f"{current.isoformat()}#{uuid.uuid4().hex[:8]}",
                       actor_id=getattr(principal, "user_id", "anonymous"),
                       actor_name=getattr(principal, "full_name", "—"),
                       actor_roles=",".join(sorted(getattr(principal, "roles", ()) or ())), action=action,
                       target_type=target_type, target_id=target_id, patient_id=patient_id, ip=ip or None,
                       user_agent=(user_agent or "")[:300] or None)
    with store_errors():
        entry.save()


def entries(day: str | None) -> list[dict[str, Any]]:
    from chalicelib.timefmt import clinic_zone

    chosen = day or now().astimezone(clinic_zone()).strftime("%Y-%m-%d")
    dt.date.fromisoformat(chosen)
    with store_errors():
        found = list(AuditEntry.query(chosen, scan_index_forward=False, limit=1000))
    return [{"at": e.at_id.split("#")[0], "actor_id": e.actor_id, "actor_name": e.actor_name,
             "actor_roles": e.actor_roles.split(",") if e.actor_roles else [], "action": e.action,
             "target_type": e.target_type, "target_id": e.target_id, "patient_id": e.patient_id, "ip": e.ip,
             "user_agent": e.user_agent} for e in found]
