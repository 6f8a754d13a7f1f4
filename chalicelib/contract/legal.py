"""The legal documents (contract, consents): the versions in force, signatures, withdrawal."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import CHOICE, Absent, Request, Response, Text

# The kinds the manifest (chalicelib/templates/legal/documents.json) may name; a new kind is added here too.
DocumentKind = Literal["contract", "consent", "informed_consent", "marketing"]


class SignatureRequest(Request):
    kind: Annotated[DocumentKind, CHOICE]
    version: Annotated[Text, Field(max_length=20)]
    sha256: Annotated[Text, Field(min_length=64, max_length=64)]


class SignaturesRequest(Request):
    """Several documents signed at once (the booking wizard's one «Подписать»): all of them or none."""

    documents: Annotated[list[SignatureRequest], Field(min_length=1, max_length=10)]


class LegalDocument(Response):
    kind: DocumentKind
    version: str
    title: str
    html: str
    sha256: str
    signed: bool | Absent = None
    signed_version: str | Absent | None = Field(None, description="the version this person signed, if any")
    required_before_booking: bool | Absent = None
    withdrawable: bool | Absent = None


class Signature(Response):
    id: str
    kind: DocumentKind
    version: str
    title: str | Absent = None
    sha256: str
    signed_at: str
    ip: str | None = None
    user_agent: str | None = None
    withdrawn_at: str | None = None
    in_force: bool | Absent = None
    withdrawable: bool | Absent = None
    html: str | Absent = None


class WithdrawalConsequences(Response):
    """Said to the patient before a withdrawal is confirmed."""

    id: str
    kind: DocumentKind
    title: str
    stops: list[str] = Field(description="what stops at once")
    continues: list[str] = Field(description="what goes on (what the law or a paid consultation requires)")
    kept: list[str] = Field(description="what is kept, for how long and why")
    also_withdrawn: list[str] = Field(description="the titles of consents withdrawn with this one")
