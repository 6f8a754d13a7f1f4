"""SMS reminders: the patient's consent and the mobile number they go to."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

from chalicelib.contract.fields import Maybe, Request, Response, Text


class SmsRemindersChange(Request):
    enabled: Annotated[bool, Strict()] = Field(description="true: send reminders by SMS too; false: stop at once")
    # Checked by the domain (a Russian mobile number in its usual spellings; the card's number when left out).
    phone: Maybe[Annotated[Text, Field(max_length=32)]] = Field(
        None, description="the mobile number for SMS; left out: the card's number"
    )


class SmsReminders(Response):
    enabled: bool
    phone: str | None = Field(description="where the SMS go (E.164), while enabled")
    card_phone: str | None = Field(description="the card's number, when it is a Russian mobile one (offered)")
    changed_at: str | None = Field(description="when the patient last turned them on or off (UTC)")
