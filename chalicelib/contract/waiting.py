"""The waiting queue: the patient's report from the lobby, and the doctor's queue of who waits."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from chalicelib.contract.fields import CHOICE, WHOLE, Maybe, Request, Response

Found = Literal["yes", "no", "checking"]
Verdict = Literal["ok", "fail", "checking"]


class WaitingReport(Request):
    """What the lobby's device check found on the patient's device."""

    camera: Annotated[Found, CHOICE] = Field(description="a picture from the camera: yes, no, or still checking")
    microphone: Annotated[Found, CHOICE] = Field(description="a microphone track: yes, no, or still checking")
    network_kbps: Maybe[Annotated[int, Field(ge=0, le=10_000_000), WHOLE]] = Field(
        None, description="the measured upstream, kbit/s (null: not measured)"
    )


class WaitingSeen(Response):
    since: dt.datetime = Field(description="in the lobby since (clinic's zone)")
    verdict: Verdict = Field(description="against the seed's requirements (128 kbit/s upstream)")
    next_in_seconds: int = Field(description="report again within this (the queue forgets a patient after 45 s)")


class WaitingPatient(Response):
    room_id: str
    booking_id: str
    role: Literal["patient", "guest"] = Field(description="the consultation's patient, or the guest they invited")
    full_name: str = Field(description="who waits: the patient, or the guest")
    patient_name: str = Field(description="the consultation's patient")
    starts_at: dt.datetime
    since: dt.datetime = Field(description="in the lobby since (clinic's zone)")
    camera: Found
    microphone: Found
    network_kbps: int | None
    verdict: Verdict
    room_status: Literal["lobby", "open"]
