"""«Мои данные»: a patient's archives of everything the clinic holds about them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.contract.fields import Absent, Response


class DataExport(Response):
    id: str
    status: Literal["building", "ready", "failed", "expired"] = Field(
        description="building → ready (then expired when the archive is deleted, a day later) or failed"
    )
    requested_at: str | None
    ready_at: str | None = None
    size: int | None = Field(default=None, description="the archive's size in bytes, when ready")
    archive_expires_at: str | Absent = Field(default=None, description="when the archive itself is deleted")
    download_url: str | Absent = Field(default=None, description="a link that works until link_expires_at")
    link_expires_at: str | Absent = None
