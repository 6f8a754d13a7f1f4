"""The error envelope every route may answer with (chalicelib.web.errors writes it)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from chalicelib.contract.fields import Absent, Response


class NearestSlot(Response):
    id: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class ErrorDetails(Response):
    """What the error concerns, when it says more than its code."""

    booking_id: str | Absent = Field(None, description="slot_already_yours: the booking holding it")
    nearest: list[NearestSlot] | Absent = Field(None, description="slot_taken: the nearest free slots")
    missing: list[str] | Absent = Field(None, description="consent_required: the kinds of the documents to sign")


class ErrorInfo(Response):
    code: str
    message: str = Field(description="Для человека, по-русски")
    # Open on purpose: named by the request's fields.
    fields: dict[str, str] | Absent = Field(
        None, description="A message per wrong field (open: named by the request's fields)"
    )
    request_id: str | Absent = None
    details: ErrorDetails | Absent = None


class Error(Response):
    error: ErrorInfo
