"""The video room as each side sees it; the network check."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import CHOICE, Absent, Email, Maybe, Request, Response, Text, Verbatim

RoomStatus = Literal["scheduled", "lobby", "open", "ended", "closed"]  # ended: over before the close


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


GuestRelation = Literal["representative", "relative", "interpreter"]


class RoomGuest(Response):
    """The invited guest, as the call shows it."""

    name: str
    relation: GuestRelation


class Room(Response):
    room_id: str | Absent = None
    status: RoomStatus
    role: Literal["patient", "doctor", "guest"]
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
    booking_id: str | None = Field(None, description="to the doctor; to the patient too once ended (the conclusion)")
    guest: RoomGuest | None = Field(None, description="the invited guest (one per booking)")
    documents_address: str | None = Field(
        None, description="to the patient only: the booking's own address for documents by email"
    )

    ended_at: dt.datetime | None = Field(None, description="ended: when the doctor ended it (null: by the conclusion)")
    conclusion_ready: bool | Absent = Field(None, description="ended: the conclusion is signed")
    can_reopen: bool | Absent = Field(None, description="ended: the doctor may go back in (not after signing)")


class ConsultationEnd(Response):
    ended_at: dt.datetime | None = None
    ended_by: Literal["doctor", "conclusion"] | None = None


class RoomLinkSent(Response):
    sent_at: dt.datetime | None = Field(description="the last send of a new link")
    next_at: dt.datetime | None = Field(description="when it may be sent again; null: now")


class NetworkCheck(Response):
    received_bytes: int | Absent = None


class GuestInvite(Request):
    """One guest per booking: a legal representative of a minor, a relative or an interpreter."""

    name: Annotated[Text, Field(max_length=200)]
    email: Email
    relation: Annotated[GuestRelation, CHOICE]


class Guest(Response):
    name: str
    email: str
    relation: GuestRelation
    status: Literal["invited", "revoked", "removed"]
    invited_at: dt.datetime
    ended_at: dt.datetime | None = Field(None, description="revoked or removed")
    joined_at: dt.datetime | None = Field(None, description="first in the open room")
    left_at: dt.datetime | None = None
    next_send_at: dt.datetime | None = Field(None, description="when the invitation may be sent again; null: now")


class BookingGuest(Response):
    guest: Guest | None = None
    may_invite: bool = Field(description="no guest invited now (one revoked may be replaced; a removed one may not)")
