"""Specialties, doctors, their weekly hours and free slots."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import WHOLE, Absent, Anything, Date, Email, Maybe, Request, Response, Text

FullName = Annotated[Text, Field(min_length=3, max_length=200)]
Price = Annotated[int, Field(ge=1, le=1_000_000), WHOLE]
Duration = Annotated[int, Field(ge=5, le=240), WHOLE]
SpecialtyId = Annotated[Text, Field(max_length=80)]
Bio = Annotated[Text, Field(max_length=2000)]


class SpecialtyForm(Request):
    name: Annotated[Text, Field(min_length=2, max_length=100)]
    description: Maybe[Annotated[Text, Field(max_length=1000)]] = None


class DoctorsQuery(Request):
    specialty: Maybe[SpecialtyId] = None


class NewDoctor(Request):
    email: Email
    full_name: FullName
    specialty_id: SpecialtyId
    bio: Maybe[Bio] = None
    price: Price
    duration_minutes: Duration


class DoctorChange(Request):
    full_name: Maybe[FullName] = None
    specialty_id: Maybe[SpecialtyId] = None
    bio: Maybe[Bio] = None
    price: Maybe[Price] = None
    duration_minutes: Maybe[Duration] = None


class ScheduleForm(Request):
    weekly_hours: Annotated[Anything, Field(description='{"1": [["09:00","13:00"]], ...} ISO weekdays')]
    days_off: Maybe[Annotated[Anything, Field(description="[YYYY-MM-DD, ...]")]] = None


class SlotsQuery(Request):
    from_: Maybe[Date] = Field(None, alias="from")
    to: Maybe[Date] = None


class Specialty(Response):
    id: str
    name: str
    description: str | Absent = None


class DoctorSpecialty(Response):
    id: str
    name: str


Interval = Annotated[list[str], Field(min_length=2, max_length=2)]


class WeeklyHours(Response):
    """ISO weekday → [start, end] intervals (HH:MM, clinic's zone)."""

    monday: list[Interval] | Absent = Field(None, alias="1")
    tuesday: list[Interval] | Absent = Field(None, alias="2")
    wednesday: list[Interval] | Absent = Field(None, alias="3")
    thursday: list[Interval] | Absent = Field(None, alias="4")
    friday: list[Interval] | Absent = Field(None, alias="5")
    saturday: list[Interval] | Absent = Field(None, alias="6")
    sunday: list[Interval] | Absent = Field(None, alias="7")


class Doctor(Response):
    id: str
    full_name: str
    bio: str | Absent = None
    specialty: DoctorSpecialty
    price: int = Field(description="roubles")
    currency: str | Absent = None
    duration_minutes: int
    weekly_hours: WeeklyHours | Absent = None
    days_off: list[dt.date] | Absent = None


class SlotChanges(Response):
    """What happened to the slots: the near days now, the rest later."""

    created: int
    removed: int
    kept_taken: int = Field(description="held or booked, kept as they were")
    days_done: int
    rest: Literal["none", "queued", "daily"]


class ScheduledDoctor(Doctor):
    slots: SlotChanges


class Slot(Response):
    id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
