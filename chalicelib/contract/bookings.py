"""Bookings: holding a slot, the booking as its patient, its doctor and staff see it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import CHOICE, Absent, Date, Maybe, Request, Response, Text

# The booking's statuses (chalicelib.booking.rules names each; tests/unit/test_contract.py keeps them equal).
BookingStatus = Literal[
    "held",
    "awaiting_payment",
    "paid",
    "in_progress",
    "completed",
    "expired",
    "cancelled",
    "refunded",
    "no_show_patient",
    "no_show_doctor",
]
PaymentStatus = Literal["pending", "waiting_for_capture", "succeeded", "canceled"]
RefundStatus = Literal["pending", "succeeded", "canceled", "none"]


class HoldRequest(Request):
    slot_id: Annotated[Text, Field(max_length=100)]
    time_zone: Maybe[Annotated[Text, Field(max_length=64)]] = None


class RescheduleRequest(Request):
    """«Перенести»: the free slot the paid booking moves to (same doctor, or same specialty, same price)."""

    slot_id: Annotated[Text, Field(max_length=100)]


class BookingsQuery(Request):
    as_: Maybe[Annotated[Literal["patient", "doctor"], CHOICE]] = Field(None, alias="as")


class DayQuery(Request):
    date: Maybe[Date] = None


class BookingPatient(Response):
    id: str
    full_name: str


class BookingDoctor(Response):
    id: str
    full_name: str
    specialty: str | None = None


class Cancellation(Response):
    """What cancelling would do now (held, awaiting payment or paid bookings only)."""

    refund: Literal["full", "none"] | None = Field(description="null while unpaid")
    deadline: dt.datetime
    deadline_hours: int


class BookingReceipt(Response):
    """A 54-FZ receipt of the booking (YooKassa emails it to the patient): the prepayment's at payment, the closing
    one once the consultation is rendered (its conclusion signed), a refund's."""

    kind: Literal["prepayment", "closing", "refund"]
    status: Literal["pending", "succeeded", "canceled"] = Field(
        description="pending: being registered; succeeded: registered and emailed; canceled: not registered"
    )
    at: dt.datetime = Field(description="when it was asked for (the clinic's zone)")
    amount: int
    receipt_id: str | None = Field(None, description="YooKassa's receipt, when known")


class Booking(Response):
    id: str
    status: BookingStatus
    starts_at: dt.datetime
    ends_at: dt.datetime
    hold_expires_at: dt.datetime | None = None
    price: int
    currency: Literal["RUB"] | Absent = None
    email: str
    patient: BookingPatient | Absent = None
    doctor: BookingDoctor | Absent = None
    patient_time_zone: str | None = None
    created_at: str | Absent = None
    payment_id: str | None = Field(None, description="YooKassa's payment, once one is started")
    payment_status: PaymentStatus | None = None
    refund_status: RefundStatus | None = Field(None, description="none: cancelled too late for a refund")
    cancellation: Cancellation | None = None
    room_id: str | None = None
    room_opens_at: dt.datetime | None = None
    room_closes_at: dt.datetime | None = None
    room_entry: Literal["later", "open", "over"] | None = Field(
        None, description="the room now: not yet open (room_opens_at), open to enter, or over; null: no room"
    )
    documents_address: str | None = Field(
        None, description="The booking's own address for documents by email: its patient only, while it is paid"
    )
    receipts: list[BookingReceipt] | Absent = Field(None, description="54-FZ receipts, oldest first")
