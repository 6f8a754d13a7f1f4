"""The registry: requests from the public form, medical cards, credentials."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import CHOICE, Absent, Date, Email, Maybe, Phone, Request, Response, Role, Text

RequestStatus = Literal["new", "done", "rejected"]
FullName = Annotated[Text, Field(min_length=3, max_length=200)]


class NewRegistrationRequest(Request):
    full_name: FullName
    email: Email
    phone: Phone
    comment: Maybe[Annotated[Text, Field(max_length=2000)]] = None


class RequestsQuery(Request):
    status: Maybe[Annotated[RequestStatus, CHOICE]] = None


class RequestStatusChange(Request):
    status: Annotated[RequestStatus, CHOICE]


class NewCard(Request):
    full_name: FullName
    email: Email
    phone: Phone
    birth_date: Date
    request_id: Maybe[Annotated[Text, Field(max_length=64)]] = None


class PatientSearch(Request):
    email: Email


class RegistrationRequest(Response):
    id: str
    full_name: str
    email: str
    phone: str
    comment: str | Absent = None
    status: RequestStatus
    created_at: str
    handled_at: str | None = None


class PatientCard(Response):
    id: str
    full_name: str
    email: str
    phone: str | None = None
    birth_date: str | None = None
    card_number: str | None
    roles: list[Role] | Absent = None
    must_change_password: bool | Absent = None
    credentials_sent: bool | Absent = None
