"""The local outbox: every email sent through SES, as moto recorded it.

Only the local stage uses this. The local stack's moto runs in a process of its
own and tells what SES recorded at LOCAL_SENT_MAIL_URL; in-process tests read
moto's SES store directly.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import json
import os
import urllib.request
from typing import Any

from chalicelib.config import settings
from chalicelib.sms.text import parts


class _Sent:
    def __init__(self, id: str, raw_data: str) -> None:
        self.id = id
        self.raw_data = raw_data


def _sent_messages() -> list[Any]:
    """What SES recorded, oldest first (objects with `id` and `raw_data`)."""
    url = os.environ.get("LOCAL_SENT_MAIL_URL")
    if url:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return [_Sent(m["id"], m["raw_data"]) for m in json.loads(answer.read())]
    from moto.core import DEFAULT_ACCOUNT_ID  # moto: installed for the local stage and the tests only
    from moto.ses.models import ses_backends

    return [
        m for m in list(ses_backends[DEFAULT_ACCOUNT_ID][settings().region].sent_messages) if hasattr(m, "raw_data")
    ]


def _parse(raw: Any) -> dict[str, Any]:
    data = raw.raw_data.encode("utf-8") if isinstance(raw.raw_data, str) else raw.raw_data
    msg = email.message_from_bytes(data, policy=email.policy.default)
    text = html = ""
    attachments = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        if disposition == "attachment" or (disposition == "inline" and part.get_filename()):
            payload = part.get_payload(decode=True) or b""
            attachments.append(
                {"filename": part.get_filename() or "", "content_type": part.get_content_type(), "size": len(payload)}
            )
        elif part.get_content_type() == "text/plain" and not text:
            text = part.get_content()
        elif part.get_content_type() == "text/html" and not html:
            html = part.get_content()
    sent = email.utils.parsedate_to_datetime(msg["Date"]) if msg["Date"] else None
    return {
        "id": raw.id,
        "to": [addr for _, addr in email.utils.getaddresses(msg.get_all("To", []))],
        "subject": str(msg["Subject"] or ""),
        "text": text.replace("\r\n", "\n"),
        "html": html.replace("\r\n", "\n"),
        "attachments": attachments,
        "sent_at": sent.isoformat() if sent else None,
    }


_PARSED: dict[str, dict[str, Any]] = {}  # a sent message never changes: each is parsed once


def messages() -> list[dict[str, Any]]:
    """Sent messages, newest first."""
    parsed = []
    for raw in _sent_messages():
        if raw.id not in _PARSED:
            _PARSED[raw.id] = _parse(raw)
        parsed.append(dict(_PARSED[raw.id]))
    return list(reversed(parsed))


def attachment(message_id: str, index: int) -> tuple[str, str, bytes] | None:
    for raw in _sent_messages():
        if raw.id == message_id:
            msg = email.message_from_string(raw.raw_data, policy=email.policy.default)
            parts = [p for p in msg.walk() if not p.is_multipart() and p.get_filename()]
            if 0 <= index < len(parts):
                part = parts[index]
                payload = part.get_payload(decode=True)  # a leaf part decodes to bytes (None when empty)
                return (
                    part.get_filename() or "file",
                    part.get_content_type(),
                    payload if isinstance(payload, bytes) else b"",
                )
    return None


def sms_messages() -> list[dict[str, Any]]:
    """SMS SNS recorded (number, text, and how many parts it takes), newest first. The local stack's moto tells
    them at LOCAL_SENT_SMS_URL; in-process tests read moto's SNS store."""
    url = os.environ.get("LOCAL_SENT_SMS_URL")
    if url:
        with urllib.request.urlopen(url, timeout=10) as answer:
            sent = [(m["id"], m["to"], m["text"]) for m in json.loads(answer.read())]
    else:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sns.models import sns_backends

        backend = sns_backends[DEFAULT_ACCOUNT_ID][settings().region]
        sent = [(key, to, text) for key, (to, text) in list(backend.sms_messages.items())]
    return [{"id": key, "to": to, "text": text, "parts": parts(text)} for key, to, text in reversed(sent)]
