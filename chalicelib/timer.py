"""The booking's timer: one Step Functions execution per paid booking, named after it.

A booking moved to another time (chalicelib/reschedule.py) gets a new execution, named after the booking and its
move count (`<booking>-<n>`), and the old one is stopped: one running execution per booking. The swap is an outbox
job written in the move's transaction, run at once and retried while Step Functions is unavailable, so a moved
booking is never left without its timer.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.errors import Unavailable
from chalicelib.logs import log_event
from chalicelib.scheduling.times import from_key, to_key
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import outbox as outbox_store
from chalicelib.storage import rooms as room_store
from chalicelib.storage.records import Booking, OutboxMessage, Room

# The outbox job that swaps a moved booking's execution (the mailroom names it in the locale files).
MOVE_JOB = "booking_timer"
JOBS = (MOVE_JOB,)
# A booking in these statuses still has its call ahead: its timer must run.
TIMED = ("paid",)


def generation(booking: Booking) -> int:
    """How many times the booking was moved: its timer's generation."""
    return int(booking.moves or 0)


def execution_name(booking_id: str, moves: int = 0) -> str:
    """The booking's execution for its `moves`-th time (the first one is named after the booking alone)."""
    return booking_id if moves == 0 else f"{booking_id}-{moves}"


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
    """Start the booking's execution (of its current time); starting it again is harmless."""
    arn = settings().state_machine_arn
    if not arn:
        raise Unavailable("BOOKING_TIMER_ARN is not configured")
    name = execution_name(booking.booking_id, generation(booking))
    try:
        aws.stepfunctions().start_execution(
            stateMachineArn=arn, name=name, input=json.dumps(timer_input(booking, room))
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            return
        raise Unavailable("stepfunctions") from exc
    except BotoCoreError as exc:
        raise Unavailable("stepfunctions") from exc
    log_event("timer_started", booking_id=booking.booking_id, moves=generation(booking))


def stop(booking_id: str, moves: int = 0, cause: str = "booking cancelled") -> None:
    """Stop the booking's execution of its `moves`-th time (a cancelled booking keeps no timer)."""
    arn = settings().state_machine_arn
    if not arn:
        return
    execution_arn = arn.replace(":stateMachine:", ":execution:") + f":{execution_name(booking_id, moves)}"
    try:
        aws.stepfunctions().stop_execution(executionArn=execution_arn, cause=cause)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("ExecutionDoesNotExist", "ExecutionNotFound"):
            raise Unavailable("stepfunctions") from exc
    except BotoCoreError as exc:
        raise Unavailable("stepfunctions") from exc
    log_event("timer_stopped", booking_id=booking_id, moves=moves)


def move_job(booking: Booking, moves: int, at: str) -> OutboxMessage:
    """The job that stops the execution of the booking's time before its `moves`-th move and starts the new one
    (one per booking and move; written in the move's transaction)."""
    message_id = uuid.uuid5(uuid.NAMESPACE_URL, f"booking-timer-{booking.booking_id}-{moves}").hex
    context = json.dumps({"booking_id": booking.booking_id, "moves": moves})
    return outbox_store.new_message(message_id, booking.patient_email, MOVE_JOB, context, at)


def run_job(message: OutboxMessage) -> str:
    """Swap a moved booking's execution; Unavailable: Step Functions is down, the outbox tries again later."""
    context = json.loads(message.context or "{}")
    booking_id, moves = str(context.get("booking_id") or ""), int(context.get("moves") or 0)
    stop(booking_id, moves - 1, cause="booking moved")
    booking = booking_store.get_booking(booking_id)
    if booking is None or generation(booking) != moves or booking.status not in TIMED or not booking.room_id:
        return execution_name(booking_id, moves)  # moved again (its own job follows), or over: nothing to start
    room = room_store.get_room(booking.room_id)
    if room is None:
        return execution_name(booking_id, moves)
    start(booking, room)
    return execution_name(booking_id, moves)
