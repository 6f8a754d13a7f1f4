"""The booking's timer: one Step Functions execution per paid booking, named after it."""

from __future__ import annotations

import datetime as dt
import json

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.errors import Unavailable
from chalicelib.logs import log_event
from chalicelib.scheduling.times import from_key, to_key
from chalicelib.storage.records import Booking, Room


def timer_input(booking: Booking, room: Room) -> dict[str, object]:
    """What the state machine needs: the ids and the four moments (UTC)."""
    remind_at = from_key(booking.starts_at) - reminder_lead()
    return {
        "booking_id": booking.booking_id,
        "room_id": room.room_id,
        "remind_at": to_key(remind_at),
        "send_reminder": remind_at > now(),
        "lobby_at": room.lobby_at,
        "starts_at": room.starts_at,
        "closes_at": room.closes_at,
    }


def reminder_lead() -> dt.timedelta:
    """How long before the start the reminder goes out."""
    return dt.timedelta(minutes=settings().reminder_lead_minutes)


def start(booking: Booking, room: Room) -> None:
    """Start the booking's execution; starting it again is harmless."""
    arn = settings().state_machine_arn
    if not arn:
        raise Unavailable("BOOKING_TIMER_ARN is not configured")
    try:
        aws.stepfunctions().start_execution(
            stateMachineArn=arn, name=booking.booking_id, input=json.dumps(timer_input(booking, room))
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            return
        raise Unavailable("stepfunctions") from exc
    except BotoCoreError as exc:
        raise Unavailable("stepfunctions") from exc
    log_event("timer_started", booking_id=booking.booking_id)


def stop(booking_id: str) -> None:
    """Stop the booking's execution (a cancelled booking keeps no timer)."""
    arn = settings().state_machine_arn
    if not arn:
        return
    execution_arn = arn.replace(":stateMachine:", ":execution:") + f":{booking_id}"
    try:
        aws.stepfunctions().stop_execution(executionArn=execution_arn, cause="booking cancelled")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("ExecutionDoesNotExist", "ExecutionNotFound"):
            raise Unavailable("stepfunctions") from exc
    except BotoCoreError as exc:
        raise Unavailable("stepfunctions") from exc
    log_event("timer_stopped", booking_id=booking_id)
