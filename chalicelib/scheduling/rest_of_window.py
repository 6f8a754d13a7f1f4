"""The far part of a schedule change, done after the answer.

A change brings the next two weeks in line at once (what patients look at first);
the rest of the 8-week window can be thousands of conditional writes, so it is
asked for through the timer queue and done by the queue's handler, which reads the
doctor's schedule as it is by then (two quick changes end in the later one). If the
queue cannot be reached, the daily roll of every schedule does the same work.
"""

from __future__ import annotations

import json
import logging

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.logs import log_event
from chalicelib.scheduling.materialize import materialize
from chalicelib.storage import doctors as store

NEAR_DAYS = 14
EVENT = "schedule"


def ask_for_rest(doctor_id: str) -> bool:
    """Queue the rest of the window; False (and a warning) if the queue cannot take it."""
    url = settings().timer_queue_url
    if not url:
        log_event("schedule_rest_not_queued", logging.WARNING, doctor_id=doctor_id, reason="no queue")
        return False
    try:
        aws.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps({"event": EVENT, "doctor_id": doctor_id}))
    except (BotoCoreError, ClientError):
        log_event("schedule_rest_not_queued", logging.WARNING, doctor_id=doctor_id, reason="sqs")
        return False
    return True


def handle(body: str) -> str | None:
    """A queued schedule change is done here; None for any other message of the queue."""
    try:
        event = json.loads(body)
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("event") != EVENT:
        return None
    return finish(str(event.get("doctor_id", "")))


def finish(doctor_id: str) -> str:
    """The whole window of one doctor, as the schedule is now."""
    doctor = store.get_doctor(doctor_id)
    if doctor is None or not doctor.active:
        return "unknown"
    outcome = materialize(doctor)
    log_event(
        "schedule_finished",
        doctor_id=doctor_id,
        created=outcome.created,
        removed=outcome.removed,
        kept=outcome.kept_taken,
    )
    return "schedule"
