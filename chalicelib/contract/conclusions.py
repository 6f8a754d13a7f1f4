"""The conclusion: its draft, the signed PDF's verification, the doctor's signing key."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import Absent, Maybe, Request, Response, Verbatim

Section = Maybe[Annotated[Verbatim, Field(max_length=20000)]]


class ConclusionText(Request):
    complaints: Section = None
    anamnesis: Section = None
    examination: Section = None
    conclusion: Section = None
    recommendations: Section = None


class Conclusion(Response):
    booking_id: str
    status: Literal["empty", "draft", "signed"]
    complaints: str | Absent = None
    anamnesis: str | Absent = None
    examination: str | Absent = None
    conclusion: str | Absent = None
    recommendations: str | Absent = None
    updated_at: str | None = None
    signed_at: str | None = None
    certificate_serial: str | None = None
    last_error: str | None = None


class Verification(Response):
    valid: bool
    intact: bool | Absent = None
    trusted: bool | Absent = None
    signer: str | None = None
    organization: str | None = None
    signed_at: str | None = None
    booking: str | None = None
    certificate_serial: str | None = None
    reason: Literal["unreadable", "unsigned", "damaged"] | Absent = Field(
        None, description="why it is not valid, when it could not be checked"
    )


class SigningKey(Response):
    doctor_id: str
    certificate_serial: str = Field(description="hex, as in the PDF")
