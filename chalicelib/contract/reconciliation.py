"""Reconciliation with YooKassa: the admin's run for a period, and the results."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.contract.fields import Date, Request, Response


class RunRequest(Request):
    from_: Date = Field(alias="from", description="the first UTC day, YYYY-MM-DD")
    to: Date = Field(
        description="the last UTC day (inclusive), YYYY-MM-DD; at most 31 days from `from`, not after today"
    )


class Checked(Response):
    payments: int = Field(description="YooKassa's payments created in the period")
    refunds: int = Field(description="YooKassa's refunds created in the period")
    bookings: int = Field(description="bookings whose payment or refund was recorded in the period")
    rendered: int = Field(description="rendered consultations whose closing receipt was looked for")


class Difference(Response):
    kind: Literal[
        "paid_there_not_here",
        "paid_here_not_there",
        "amount_differs",
        "refund_there_not_here",
        "refund_here_not_there",
        "closing_receipt_missing",
    ]
    booking_id: str | None
    payment_id: str | None
    refund_id: str | None
    ours: str | None = Field(description="what our records say, e.g. 3500.00 RUB")
    theirs: str | None = Field(description="what YooKassa says, e.g. 3000.00 RUB or a status")
    what_to_do: str


class Run(Response):
    id: str
    period_from: str
    period_to: str
    ran_at: str
    trigger: Literal["schedule", "admin"]
    checked: Checked
    differences_count: int
    differences: list[Difference] = Field(description="the first 1000 when there are more")
