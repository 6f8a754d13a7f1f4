"""Documents by email: mail to a paid booking's own address (docs+<token>@…, chalicelib/documents/addresses.py).

SES receiving stores each message in S3 and the bucket notifies an SQS queue; this reads the message (MIME),
and:
- claims it once (a conditional write keyed by its S3 key, SES's message id): the same message delivered twice
  is handled once;
- outside the local stage, requires SES's verdicts (spam, virus, SPF, DKIM, DMARC) to be PASS;
- attaches its files only when it was sent to a booking's own address: the secret in the address is what
  proves the sender was given it, never the From: header, which anyone can write;
- keeps aside, for the registry, a message to the clinic's general address that only matches a booking by
  From: + the date and time in its subject (nothing is attached);
- answers only known people: the booking's patient for its own address, a registered user otherwise; the
  incoming subject is never echoed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import email.utils
import hashlib
import json
import re
from typing import Any
from urllib.parse import unquote_plus

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws, outbox, resources
from chalicelib.booking import rules
from chalicelib.clock import now
from chalicelib.config import retention_schedule, settings
from chalicelib.documents import addresses
from chalicelib.documents.files import MAX_PER_BOOKING, MAX_SIZE, safe_filename, sniff
from chalicelib.errors import Unavailable
from chalicelib.i18n import t
from chalicelib.logs import log_event
from chalicelib.mail import header_value
from chalicelib.scheduling.times import from_key, to_key
from chalicelib.storage import accounts as account_store
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import documents as store
from chalicelib.storage.records import Booking, InboundMail
from chalicelib.timefmt import clinic_zone, format_datetime

ACCEPTING = (rules.PAID, rules.IN_PROGRESS)
# A claim older than this whose handler never finished (the Lambda died) may be taken again.
STALE_CLAIM = dt.timedelta(minutes=10)
VERDICTS = ("spam", "virus", "spf", "dkim", "dmarc")

_DATE_TIME = re.compile(
    r"(?:(?P<d>\d{1,2})\.(?P<m>\d{1,2})(?:\.(?P<y>\d{2,4}))?|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))"
    r"\D{0,12}?(?P<h>\d{1,2})[:.](?P<mi>\d{2})"
)


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


def _headers(message: Any, name: str) -> list[str]:
    """Every value of a header as text; a header too malformed to parse counts as absent."""
    try:
        return [str(value) for value in (message.get_all(name) or [])]
    except Exception:  # the email package's lazy parsers can raise on hostile input
        return []


def recipients(message: Any) -> list[str]:
    values = _headers(message, "To") + _headers(message, "Cc")
    return [address.strip().lower() for _, address in email.utils.getaddresses(values) if address]


def verdict_failures(message: Any) -> list[str]:
    """Which of SES's verdicts are not PASS. SES writes its headers on top; a sender can add lookalikes below,
    so every occurrence must pass (and one must be there)."""
    failures = []
    for name, verdict in (("X-SES-Spam-Verdict", "spam"), ("X-SES-Virus-Verdict", "virus")):
        values = [v.strip().upper() for v in _headers(message, name)]
        if not values or any(v != "PASS" for v in values):
            failures.append(verdict)
    results = [v for v in _headers(message, "Authentication-Results") if v.strip().lower().startswith("amazonses.com")]
    for method in ("spf", "dkim", "dmarc"):
        found = [m.lower() for r in results for m in re.findall(rf"\b{method}=([A-Za-z]+)", r)]
        if not found or any(m != "pass" for m in found):
            failures.append(method)
    return failures


def _claim(key: str, at: dt.datetime) -> InboundMail | None:
    """The message's record, taken for this run; None when it was (or is being) handled already."""
    keep = retention_schedule().inbound_mail.after(at) - at  # as long as SES's raw message under inbound/
    return store.claim_message(key, at, keep, stale_before=(at - STALE_CLAIM).isoformat())


def receive(raw: bytes, key: str | None = None) -> dict[str, Any]:
    """Handle one incoming message (stored by SES at `key`); what was attached, refused, and why."""
    current = now()
    message_key = key or "sha256:" + hashlib.sha256(raw).hexdigest()
    outcome: dict[str, Any] = {"attached": [], "refused": [], "problem": None, "duplicate": False}
    record = _claim(message_key, current)
    if record is None:
        outcome["duplicate"] = True
        log_event("documents_by_email", problem="duplicate")
        return outcome
    try:
        return _handle(raw, message_key, record, current, outcome)
    except BaseException:
        _release(record)  # SQS delivers it again (and after the redrive limit, to the dead-letter queue)
        raise


def _release(record: InboundMail) -> None:
    with contextlib.suppress(Exception):
        store.release_message(record)


def _handle(
    raw: bytes, message_key: str, record: InboundMail, current: dt.datetime, outcome: dict[str, Any]
) -> dict[str, Any]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    senders = email.utils.getaddresses(_headers(message, "From"))
    sender = senders[0][1].strip().lower() if len(senders) == 1 else ""
    outcome["sender"] = sender
    subject = header_value(" ".join(_headers(message, "Subject")), 200)
    files = [safe_filename(_filename(part)) for part in message.iter_attachments()]
    to = recipients(message)
    token = next((tk for tk in (addresses.token_in(r) for r in to) if tk), None)
    booking = addresses.booking_for(token) if token else None
    reply_to, full_name, status, reason = None, None, "ignored", None

    if token is not None:  # written to a documents address of ours
        if booking is None:
            outcome["problem"] = reason = "unknown_address"
            user = account_store.user_by_login(sender) if sender else None
            reply_to, full_name = (user.email, user.full_name) if user else (None, None)
        else:
            reply_to, full_name = booking.patient_email, booking.patient_name
            failures = [] if settings().is_local else verdict_failures(message)
            if failures:
                outcome["problem"], status, reason = "unverified", "rejected", "verdict:" + ",".join(failures)
            elif booking.status not in ACCEPTING:
                outcome["problem"] = reason = "closed"
            else:
                for part in list(message.iter_attachments()):
                    _keep(booking, message_key, part, outcome)
                status = "attached" if outcome["attached"] else "ignored"
                if not outcome["attached"] and not outcome["refused"]:
                    outcome["problem"] = reason = "no_attachments"
    else:  # the general address (or any other): never attached; kept aside when it names a booking
        user = account_store.user_by_login(sender) if sender else None
        if user is None:
            reason = "unknown_sender"  # no answer: the From: may be anyone's
        else:
            reply_to, full_name = user.email, user.full_name
            outcome["problem"] = "general_address"
            booking = _matched_booking(user.user_id, subject, current)
            if booking is not None:
                status, reason = "held", "matched_by_sender_and_subject"
                outcome["held"] = True
            else:
                reason = "no_booking"
    _finish(record, status, reason, sender, subject, files, booking, len(outcome["attached"]))
    if reply_to:
        _answer(reply_to, full_name, outcome, booking)
    log_event(
        "documents_by_email",
        problem=outcome["problem"],
        status=status,
        reason=reason,
        attached=len(outcome["attached"]),
        refused=len(outcome["refused"]),
    )
    return outcome


def _matched_booking(patient_id: str, subject: str, current: dt.datetime) -> Booking | None:
    when = consultation_time(subject, current.astimezone(clinic_zone()).date())
    if when is None:
        return None
    key = to_key(when)
    return next(
        (b for b in booking_store.bookings_of_patient(patient_id) if b.starts_at == key and b.status in ACCEPTING), None
    )


def _finish(
    record: InboundMail,
    status: str,
    reason: str | None,
    sender: str,
    subject: str,
    files: list[str],
    booking: Booking | None,
    attached: int,
) -> None:
    store.finish_message(record, status, reason, sender[:320] or None, subject or None, files[:200], booking, attached)


def _answer(to: str, full_name: str | None, outcome: dict[str, Any], booking: Booking | None) -> None:
    own = addresses.address(booking.documents_token) if booking is not None and booking.status in ACCEPTING else None
    outbox.send_now(
        outbox.compose(
            to,
            "documents_received",
            {
                "problem": outcome["problem"],
                "attached": outcome["attached"],
                "refused": outcome["refused"],
                "full_name": full_name,
                "consultation": _when_text(booking),
                "held": bool(outcome.get("held")),
                "documents_address": own if outcome["problem"] in (None, "general_address", "no_attachments") else None,
            },
        )
    )


def _when_text(booking: Any) -> str | None:
    return format_datetime(from_key(booking.starts_at)) if booking is not None else None


def _filename(part: Any) -> str:
    try:
        return header_value(part.get_filename() or "document", 255) or "document"
    except Exception:
        return "document"


def _keep(booking: Booking, message_key: str, part: Any, outcome: dict[str, Any]) -> None:
    """Attach one part: its bytes first, then (one transaction) its record and the booking's count. The id comes
    from the message and the part, so a run taken again after a crash finds what it already did."""
    filename = safe_filename(_filename(part))
    index = len(outcome["attached"]) + len(outcome["refused"])
    if len(outcome["attached"]) + int(booking.attachments_count or 0) >= MAX_PER_BOOKING:
        outcome["refused"].append(
            {"filename": filename, "reason": t("documents.reasons.too_many", limit=MAX_PER_BOOKING)}
        )
        return
    try:
        data = part.get_payload(decode=True) or b""
    except Exception:
        data = b""
    real = sniff(data[:16])
    if len(data) > MAX_SIZE:
        outcome["refused"].append({"filename": filename, "reason": t("documents.reasons.too_big")})
        return
    if real is None:  # the bytes decide, never the name or the declared type
        outcome["refused"].append({"filename": filename, "reason": t("documents.reasons.not_a_document")})
        return
    attachment_id = hashlib.sha256(f"{message_key}\n{index}".encode()).hexdigest()[:32]
    s3_key = f"attachments/{booking.booking_id}/{attachment_id}"
    attachment = store.new_attachment(
        booking.booking_id,
        attachment_id,
        patient_id=booking.patient_id,
        filename=filename,
        content_type=real,
        size=len(data),
        s3_key=s3_key,
        status="ready",
        source="email",
        created_at=now().isoformat(),
    )
    s3 = aws.s3()
    try:
        s3.put_object(
            Bucket=resources.documents_bucket(),
            Key=s3_key,
            Body=data,
            ContentType=real,
            ContentDisposition="attachment",
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=resources.data_key_alias(),
        )
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("s3") from exc
    refused = store.add_attachment(booking, attachment, MAX_PER_BOOKING)
    if refused:
        if "attachment" in refused:  # attached by an earlier run of this message
            outcome["attached"].append({"filename": filename, "size": len(data)})
            return
        try:
            s3.delete_object(Bucket=resources.documents_bucket(), Key=s3_key)
        except (BotoCoreError, ClientError):
            pass  # never served: no record names it
        outcome["refused"].append(
            {"filename": filename, "reason": t("documents.reasons.too_many", limit=MAX_PER_BOOKING)}
        )
        store.reread_booking(booking)
        return
    outcome["attached"].append({"filename": filename, "size": len(data)})


def receive_stored(bucket: str, key: str) -> dict[str, Any]:
    """SES put the raw message at `key`."""
    raw = aws.s3().get_object(Bucket=bucket, Key=key)["Body"].read()
    return receive(raw, key)


def receive_notification(body: str) -> list[dict[str, Any]]:
    """An S3 event notification (delivered through SQS): each stored message handled."""
    outcomes = []
    for record in json.loads(body).get("Records", []):
        s3 = record.get("s3") or {}
        key = unquote_plus(s3.get("object", {}).get("key", ""))
        if key.startswith("inbound/"):
            outcomes.append(receive_stored(s3["bucket"]["name"], key))
    return outcomes


def held(status: str = "held", limit: int = 200) -> list[dict[str, Any]]:
    """Messages the registry should look at (newest first): kept aside, or refused by SES's verdicts."""
    found = store.messages_with_status(status, limit)
    return [
        {
            "id": m.message_key,
            "status": m.status,
            "reason": m.reason,
            "received_at": m.received_at,
            "sender": m.sender,
            "subject": m.subject,
            "booking_id": m.booking_id,
            "patient_id": m.patient_id,
            "files": json.loads(m.files or "[]"),
        }
        for m in found
    ]
