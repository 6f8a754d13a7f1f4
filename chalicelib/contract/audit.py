"""The audit log: reads of medical data by anyone but its patient."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from chalicelib.contract.fields import WHOLE, Date, Maybe, Request, Response, Text


class AuditQuery(Request):
    date: Maybe[Date] = None
    next: Maybe[Annotated[Text, Field(max_length=400, description="the `next` of the page before")]] = None
    limit: Maybe[Annotated[int, Field(ge=1, le=500, description="entries per page (100 by default)"), WHOLE]] = None


class AuditEntry(Response):
    at: dt.datetime
    actor_id: str
    actor_name: str | None
    actor_roles: list[str]
    action: str
    target_type: str
    target_id: str
    patient_id: str | None = None
    ip: str | None = None
    user_agent: str | None = None


class AuditPage(Response):
    entries: list[AuditEntry]
    next: str | None = Field(description="opaque; null after the last page")
