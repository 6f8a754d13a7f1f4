"""The registry: requests from the public form, medical cards, credentials."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import (
    CHOICE,
    WHOLE,
    Absent,
    Date,
    Email,
    Maybe,
    Phone,
    Request,
    Response,
    Role,
    Text,
)

RequestStatus = Literal["new", "done", "rejected"]
SearchKind = Literal["surname", "phone", "card", "email"]
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


class PatientFind(Request):
    """One search box: a surname (or its start), a phone, a card number or an email; `by` says which, or it is
    told from the text (an @ is an email, 2026-000123 a card, digits after +7 or 8 a phone, else a surname)."""

    q: Annotated[Text, Field(max_length=200)]
    by: Maybe[Annotated[SearchKind, CHOICE]] = None
    next: Maybe[Annotated[Text, Field(max_length=1000)]] = None
    limit: Maybe[Annotated[int, Field(ge=1, le=50), WHOLE]] = None


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
    personal_data_withdrawn_at: str | Absent | None = Field(
        None, description="when the patient withdrew the personal-data consent (not signed again since)"
    )


class FoundPatient(Response):
    id: str
    full_name: str
    email: str = Field(description="as the patient wrote it; an international domain in its own letters")
    phone: str | None = None
    birth_date: str | None = None
    card_number: str | None = None


class PatientPage(Response):
    kind: SearchKind = Field(description="how the text was read")
    patients: list[FoundPatient]
    next: str | None = Field(description="the next page's cursor (send it back as `next`); null after the last")
