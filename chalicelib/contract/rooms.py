"""The video room as each side sees it; the network check."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import Absent, Maybe, Request, Response, Verbatim

RoomStatus = Literal["scheduled", "lobby", "open", "closed"]


class RoomHeaders(Request):
    # The link's token travels in a header: query strings reach logs.
    room_token: Maybe[Annotated[Verbatim, Field(max_length=128)]] = Field(None, alias="X-Room-Token")


class IceServer(Response):
    urls: list[str]
    username: str | Absent = None
    credential: str | Absent = None


class VideoLimits(Response):
    max_bitrate: int
    max_width: int
    max_height: int
    max_fps: int


class RoomDoctor(Response):
    full_name: str
    specialty: str | None = None


class RoomPatient(Response):
    """To the doctor only."""

    full_name: str


class Room(Response):
    room_id: str | Absent = None
    status: RoomStatus
    role: Literal["patient", "doctor"]
    opens_at: dt.datetime
    starts_at: dt.datetime | Absent = None
    ends_at: dt.datetime | Absent = None
    closes_at: dt.datetime
    server_time: dt.datetime
    ice_servers: list[IceServer] = Field(description="RTCIceServer: STUN, and TURN with fresh credentials")
    signaling_url: str | None = Field(description="WebSocket address with a single-use ticket (lobby and open only)")
    video: VideoLimits | Absent = None
    doctor: RoomDoctor | None = None
    patient: RoomPatient | None = Field(None, description="to the doctor only")
    booking_id: str | None = Field(None, description="to the doctor only")
    documents_address: str | None = Field(
        None, description="to the patient only: the booking's own address for documents by email"
    )


class NetworkCheck(Response):
    received_bytes: int | Absent = None
