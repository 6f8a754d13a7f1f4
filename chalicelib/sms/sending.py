"""The reminder's SMS as an outbox job: one per booking and start, sent through Amazon SNS, retried by the outbox."""

from __future__ import annotations

import json
import uuid

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.booking import rules
from chalicelib.config import settings
from chalicelib.errors import Unavailable
from chalicelib.logs import log_event
from chalicelib.sms import REMINDER_JOB
from chalicelib.sms.text import parts, reminder_text
from chalicelib.storage import accounts as accounts_store
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import outbox as outbox_store
from chalicelib.storage.records import Booking, OutboxMessage, User

# SNS's answers that no retry changes (a number SNS will not send to, a message it refuses).
_REFUSALS = ("InvalidParameter", "InvalidParameterValue", "OptedOut")


class NotWanted(Exception):
    """The SMS is no longer wanted (the consent withdrawn, the booking no longer paid): dropped, not failed."""


class SmsRefused(Exception):
    """SNS refused the message for good: the outbox marks the job failed (its reason names no number)."""


def wanted(user: User | None) -> bool:
    return user is not None and bool(user.sms_reminders) and bool(user.sms_phone)


def reminder_job(booking: Booking, at: str) -> OutboxMessage:
    """The job, its id made from the booking and its start: a repeated timer event cannot write a second one, and a
    moved consultation gets its own."""
    key = f"sms-reminder-{booking.booking_id}-{booking.starts_at}"
    context = json.dumps(
        {"booking_id": booking.booking_id, "patient_id": booking.patient_id, "starts_at": booking.starts_at}
    )
    return outbox_store.new_message(
        uuid.uuid5(uuid.NAMESPACE_URL, key).hex, booking.patient_email, REMINDER_JOB, context, at
    )


def publish(phone: str, text: str) -> str:
    """SNS's message id. Transactional (delivered first, at any hour), with the clinic's sender id when set."""
    attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
    if settings().sms_sender_id:
        attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": settings().sms_sender_id}
    try:
        answer = aws.sns().publish(PhoneNumber=phone, Message=text, MessageAttributes=attributes)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        log_event("sms_failed", error=code or type(exc).__name__)  # SNS's message may hold the number: not logged
        if code in _REFUSALS:
            raise SmsRefused(f"SNS refused the message: {code}") from None
        raise Unavailable("sns") from None
    except BotoCoreError as exc:
        log_event("sms_failed", error=type(exc).__name__)
        raise Unavailable("sns") from None
    return str(answer["MessageId"])


def run_job(message: OutboxMessage) -> str:
    """Send the reminder's SMS if it is still wanted: the consent read again, the booking still paid."""
    context = json.loads(message.context or "{}")
    booking = booking_store.get_booking(str(context.get("booking_id") or ""))
    user = accounts_store.get_user(str(context.get("patient_id") or ""))
    if booking is None or booking.status != rules.PAID:
        raise NotWanted("the booking is no longer paid")
    if context.get("starts_at") not in (None, booking.starts_at):
        raise NotWanted("the booking was moved: its new time has its own reminder")
    if not wanted(user) or user is None or user.sms_phone is None:
        raise NotWanted("the patient does not want SMS reminders")
    text = reminder_text(booking)
    sent = publish(user.sms_phone, text)
    log_event("sms_sent", message_id=message.message_id, booking_id=booking.booking_id, parts=parts(text))
    return sent
