"""Paying for a booking; YooKassa's notifications."""

from __future__ import annotations

from pydantic import Field

from chalicelib.contract.fields import Absent, Response


class PaymentStart(Response):
    confirmation_url: str
    payment_id: str | Absent = None


class WebhookResult(Response):
    result: str = Field(description="what the notification changed")
    event: str | Absent = Field(None, description="an event type that is ignored")
