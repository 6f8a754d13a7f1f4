"""Documents for a consultation: presigned uploads and the booking's files."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import WHOLE, Absent, Request, Response, Text


class UploadRequest(Request):
    filename: Annotated[Text, Field(max_length=255)]
    content_type: Annotated[Text, Field(max_length=100)]
    size: Annotated[int, Field(ge=1, le=1024 * 1024 * 1024), WHOLE]


class UploadForm(Response):
    attachment_id: str
    url: str
    # Open on purpose: S3's form fields, posted back as they are; their names vary with the credentials.
    fields: dict[str, str] = Field(description="S3's form fields, to post back unchanged (open: S3 names them)")
    max_size: int | Absent = None


class Attachment(Response):
    id: str
    filename: str
    content_type: str
    size: int
    status: Literal["pending", "ready", "rejected"]
    source: Literal["cabinet", "email"] | Absent = None
    reason: str | None = None
    uploaded_at: str | Absent = None
    download_url: str | Absent = None
