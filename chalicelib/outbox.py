"""Emails that must not be lost: written with the change they report, sent and retried after.

A message is put in the same DynamoDB transaction as the state change (so one
change makes exactly one email), then sent at once; when SES fails, the
scheduled `deliver_due` tries again with growing pauses.

The same way carries jobs that are not emails: the closing 54-FZ receipt of a rendered consultation, written with
the signing and issued through YooKassa, and the following of a receipt YooKassa is still registering
(chalicelib/payments/receipts.py); retried alike. And the reminder's SMS (chalicelib/sms/), written with the
reminder's email; one no longer wanted (the consent withdrawn, the booking cancelled) is `dropped`, not failed.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from chalicelib import aws, mail, sms, timer
from chalicelib.calendar_invite import invitation
from chalicelib.clock import now
from chalicelib.config import retention_schedule
from chalicelib.errors import Unavailable
from chalicelib.logs import log_event
from chalicelib.mail import Attachment, header_value
from chalicelib.payments import receipts
from chalicelib.sms import sending
from chalicelib.storage import outbox as store
from chalicelib.storage.records import OutboxMessage

MAX_ATTEMPTS = 12
FIRST_PAUSE_S = 30


def compose(to: str, template: str, context: dict[str, Any]) -> OutboxMessage:
    """A pending message, to be saved by the caller (in its transaction)."""
    return store.new_message(
        uuid.uuid4().hex, to, template, json.dumps(context, ensure_ascii=False, default=str), now().isoformat()
    )


def send_now(message: OutboxMessage) -> bool:
    """Save and send a message that is not part of a transaction."""
    store.put_message(message)
    return deliver_written(message)


def deliver_written(message: OutboxMessage, files: dict[str, bytes] | None = None) -> bool:
    """Send a message this request has just written (pending, as composed): no need to read it back.

    `files`: attachments' bytes this request already holds, by S3 key (not fetched again).
    """
    return _send(message, files or {})


def _attachments(context: dict[str, Any], files: dict[str, bytes]) -> list[Any]:
    found = []
    for spec in context.get("attachments", []):
        if spec.get("kind") == "s3":
            data = files.get(spec["key"])
            if data is None:
                data = aws.s3().get_object(Bucket=spec["bucket"], Key=spec["key"])["Body"].read()
            found.append(Attachment(spec["filename"], spec["content_type"], data))
        elif spec.get("kind") == "ics":
            found.append(Attachment("consultation.ics", "text/calendar", invitation(**spec["event"])))
    return found


def deliver(message_id: str) -> bool:
    """Send one pending message; True when it went out (now or before)."""
    message = store.get_message(message_id)
    if message is None:
        return False
    if message.status != "pending":
        return message.status == "sent"
    return _send(message, {})


def _send(message: OutboxMessage, files: dict[str, bytes]) -> bool:
    message_id = message.message_id
    try:
        if message.template in receipts.JOBS:
            ses_id = receipts.run_job(message, now().isoformat())  # the receipt's id at YooKassa
        elif message.template in timer.JOBS:
            ses_id = timer.run_job(message)  # a moved booking's timer: the new execution's name
        elif message.template in sms.JOBS:
            ses_id = sending.run_job(message)  # SNS's message id
        else:
            context = json.loads(message.context or "{}")
            ses_id = mail.send(message.to, message.template, context, _attachments(context, files))
    except Unavailable as exc:
        attempts = int(message.attempts) + 1
        pause = dt.timedelta(seconds=FIRST_PAUSE_S * 2 ** min(attempts - 1, 8))
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        store.defer(message, attempts, status, (now() + pause).isoformat(), str(exc)[:200])
        log_event("mail_deferred", message_id=message_id, template=message.template, attempts=attempts, status=status)
        return False
    except sending.NotWanted as exc:
        store.mark_dropped(message, str(exc), keep_until=retention_schedule().sent_mail.after(now()))
        log_event("mail_dropped", message_id=message_id, template=message.template)
        return False
    except Exception as exc:
        _fail(message, exc)
        return False
    store.mark_sent(message, now(), ses_id, keep_until=retention_schedule().sent_mail.after(now()))
    return True


def _fail(message: OutboxMessage, exc: Exception) -> None:
    """Rendering, building or sending raised something no retry will change: marked failed with its reason
    (for the admin's list), so it is never due again and never stands in front of the others."""
    store.mark_failed(message, header_value(f"{type(exc).__name__}: {exc}", 200))
    log_event(
        "mail_failed_permanently", message_id=message.message_id, template=message.template, error=type(exc).__name__
    )


def failed(limit: int = 200) -> list[dict[str, Any]]:
    """Messages that will not be sent (a poison message, or the last retry spent): for the admin, newest first."""
    found = store.failed_messages(limit)
    return [
        {
            "id": m.message_id,
            "to": m.to,
            "template": m.template,
            "attempts": int(m.attempts or 0),
            "last_error": m.last_error,
            "created_at": m.created_at,
        }
        for m in found
    ]


def deliver_due(limit: int = 100) -> int:
    """Send what is due (the scheduled retry); the number sent."""
    sent = 0
    due = store.due_messages(now().isoformat(), limit)
    for message in due:
        try:
            if deliver(message.message_id):
                sent += 1
        except Exception as exc:
            log_event("mail_deliver_error", message_id=message.message_id, error=type(exc).__name__)
    return sent
