"""Mail the staff must see: incoming letters not attached, outgoing ones failed for good; the local outbox."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from chalicelib.contract.fields import CHOICE, Absent, Maybe, Request, Response

InboundStatus = Literal["held", "rejected", "ignored", "attached"]


class InboundQuery(Request):
    status: Maybe[Annotated[InboundStatus, CHOICE]] = None


class InboundLetter(Response):
    id: str
    status: str
    reason: str | None = None
    received_at: str
    sender: str | None = None
    subject: str | None = None
    booking_id: str | None = None
    patient_id: str | None = None
    files: list[str]


class FailedMail(Response):
    id: str
    to: str
    template: str
    attempts: int
    last_error: str | None = None
    created_at: str


class SentAttachment(Response):
    filename: str | Absent = None
    content_type: str | Absent = None
    size: int | Absent = None


class SentMail(Response):
    """An email as SES sent it (the local stack's outbox)."""

    id: str
    to: list[str]
    subject: str
    text: str
    html: str
    attachments: list[SentAttachment]
    sent_at: dt.datetime | None
