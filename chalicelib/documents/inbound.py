"""Documents by email, as the seed describes: mail to the clinic's telemedicine address, from the
patient's registered address, with the consultation's date and time in the subject.

SES receiving stores each message in S3; this reads it (MIME), matches the booking,
keeps the acceptable attachments and answers the sender with what was attached or why not.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from typing import Any

from chalicelib import resources
from chalicelib.booking import rules
from chalicelib.documents.files import MAX_PER_BOOKING, MAX_SIZE, safe_filename, sniff
from chalicelib.i18n import t
from chalicelib.logs import log_event
from chalicelib.scheduling.times import to_key
from chalicelib.storage import accounts as account_store
from chalicelib.storage import bookings as booking_store
from chalicelib.timefmt import clinic_zone

_DATE_TIME = re.compile(
    r"(?:(?P<d>\d{1,2})\.(?P<m>\d{1,2})(?:\.(?P<y>\d{2,4}))?|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))"
    r"\D{0,12}?(?P<h>\d{1,2})[:.](?P<mi>\d{2})")


def consultation_time(subject: str, today: dt.date) -> dt.datetime | None:
    """«Консультация 26.11.2026 в 14:30», «26.11 14:30», «2026-11-26 14:30» → that moment in the clinic's zone."""
    match = _DATE_TIME.search(subject or "")
    if not match:
        return None
    g = match.groupdict()
    try:
        if g["iy"]:
            day = dt.date(int(g["iy"]), int(g["im"]), int(g["id"]))
        else:
            year = int(g["y"]) if g["y"] else today.year
            day = dt.date(year + 2000 if year < 100 else year, int(g["m"]), int(g["d"]))
        return dt.datetime.combine(day, dt.time(int(g["h"]), int(g["mi"])), clinic_zone())
    except ValueError:
        return None


def receive(raw: bytes) -> dict[str, Any]:
    """Handle one incoming message; what was attached, refused, and the reply sent."""
    from chalicelib import outbox
    from chalicelib.clock import now

    message = email.message_from_bytes(raw, policy=email.policy.default)
    sender = email.utils.parseaddr(str(message.get("From", "")))[1].strip().lower()
    subject = str(message.get("Subject", ""))
    outcome: dict[str, Any] = {"sender": sender, "attached": [], "refused": [], "problem": None}
    user = account_store.user_by_login(sender) if sender else None
    booking = None
    if user is None:
        outcome["problem"] = "unknown_sender"
    else:
        when = consultation_time(subject, now().astimezone(clinic_zone()).date())
        if when is None:
            outcome["problem"] = "no_time_in_subject"
        else:
            key = to_key(when)
            booking = next((b for b in booking_store.bookings_of_patient(user.user_id)
                            if b.starts_at == key and b.status in (rules.PAID, rules.IN_PROGRESS)), None)
            if booking is None:
                outcome["problem"] = "no_booking"
    if booking is not None:
        for part in message.iter_attachments():
            _keep(booking, part, outcome)
        if not outcome["attached"] and not outcome["refused"]:
            outcome["problem"] = "no_attachments"
    if sender:
        outbox.send_now(outbox.compose(sender, "documents_received", {
            "problem": outcome["problem"], "attached": outcome["attached"], "refused": outcome["refused"],
            "subject": subject[:200], "full_name": user.full_name if user else None,
            "consultation": _when_text(booking)}))
    log_event("documents_by_email", problem=outcome["problem"], attached=len(outcome["attached"]),
              refused=len(outcome["refused"]))
    return outcome


def _when_text(booking: Any) -> str | None:
    from chalicelib.scheduling.times import from_key
    from chalicelib.timefmt import format_datetime

    return format_datetime(from_key(booking.starts_at)) if booking is not None else None


def _keep(booking: Any, part: Any, outcome: dict[str, Any]) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib import aws
    from chalicelib.documents.uploads import TooManyFiles, new_attachment, reserve

    filename = safe_filename(part.get_filename() or "document")
    data = part.get_payload(decode=True) or b""
    real = sniff(data[:16])
    if len(data) > MAX_SIZE:
        outcome["refused"].append({"filename": filename, "reason": t("documents.reasons.too_big")})
        return
    if real is None:
        outcome["refused"].append({"filename": filename, "reason": t("documents.reasons.not_a_document")})
        return
    attachment = new_attachment(booking, filename, real, len(data), "email", status="ready")
    try:
        reserve(booking, attachment)
    except TooManyFiles:
        outcome["refused"].append({"filename": filename, "reason": t("documents.reasons.too_many",
                                                                       limit=MAX_PER_BOOKING)})
        return
    try:
        aws.s3().put_object(Bucket=resources.documents_bucket(), Key=attachment.s3_key, Body=data, ContentType=real,
                            ServerSideEncryption="aws:kms", SSEKMSKeyId=resources.data_key_alias())
    except (BotoCoreError, ClientError) as exc:
        attachment.delete()
        raise exc
    outcome["attached"].append({"filename": filename, "size": len(data)})
    booking.refresh()


def receive_stored(bucket: str, key: str) -> dict[str, Any]:
    """SES put the raw message at `key`."""
    from chalicelib import aws

    raw = aws.s3().get_object(Bucket=bucket, Key=key)["Body"].read()
    return receive(raw)


def receive_notification(body: str) -> list[dict[str, Any]]:
    """An S3 event notification (delivered through SQS): each stored message handled."""
    import json
    from urllib.parse import unquote_plus

    outcomes = []
    for record in json.loads(body).get("Records", []):
        s3 = record.get("s3") or {}
        key = unquote_plus(s3.get("object", {}).get("key", ""))
        if key.startswith("inbound/"):
            outcomes.append(receive_stored(s3["bucket"]["name"], key))
    return outcomes
