"""Email through SES: Jinja2 templates (HTML and text), real MIME with attachments.

A message named `credentials` has three templates in templates/email/:
credentials.subject.txt, credentials.txt and credentials.html.
"""

from __future__ import annotations

import email.policy
import email.utils
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.errors import Unavailable
from chalicelib.i18n import count, money
from chalicelib.logs import log_event

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@functools.lru_cache(maxsize=1)
def _env() -> Any:
    # jinja2 costs a cold start 30-50 ms (as much as pydantic): loaded by the first email rendered, not by every Lambda.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # «1 500 ₽», «24 часа», «30 минут»: sums and counts as the clinic writes them (chalicelib/i18n.py).
    env.filters["rub"] = money
    env.filters["count"] = count
    return env


def render(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of message `name`."""
    s = settings()
    full = {
        "clinic": {"name": s.clinic_name, "address": s.clinic_address, "site": s.public_base_url},
        "clinic_documents_address": s.documents_address,
        **context,
    }
    env = _env()
    subject = env.get_template(f"email/{name}.subject.txt").render(full).strip()
    text = env.get_template(f"email/{name}.txt").render(full)
    html = env.get_template(f"email/{name}.html").render(full)
    return subject, text, html


_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")  # C0, DEL, C1 (NEL among them), LS, PS


def header_value(value: str, limit: int = 300) -> str:
    """A header value that cannot start another header: line breaks and control characters become spaces."""
    return _LINE_BREAKS.sub(" ", value or "").strip()[:limit]


# One plain address: nothing that could name a second recipient or start a header. Forms accept no other
# (chalicelib/contract/fields.py), so every stored address can be written to.
_ADDRESS = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[^@\s<>,;:\"()\[\]\\.]+$")


def is_plain_address(value: str) -> bool:
    return isinstance(value, str) and len(value) <= 254 and bool(_ADDRESS.match(value))


def ascii_address(value: str) -> str:
    """The address as SES takes it: an international domain (почта.рф) in IDNA (xn--80a1acny.xn--p1ai). SES has
    no SMTPUTF8, so the part before @ must already be ASCII (the forms see to it: contract/fields.py); an address
    that cannot be written so is returned unchanged, for `recipient` to refuse."""
    local, _, domain = value.rpartition("@")
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}" if local else value
    except UnicodeError:
        return value


def display_address(value: str) -> str:
    """The address as a person reads it: an IDNA domain in its own letters (xn--80a1acny.xn--p1ai → почта.рф)."""
    local, _, domain = value.rpartition("@")
    try:
        return f"{local}@{domain.encode('ascii').decode('idna')}" if local and "xn--" in domain else value
    except UnicodeError:
        return value


def recipient(to: str) -> str:
    """Exactly one plain address, in ASCII (the domain in IDNA): anything that could name a second recipient or
    header, or that SES could not take, is refused."""
    if not is_plain_address(to):
        raise ValueError("not a single plain address")
    address = ascii_address(to)
    if not address.isascii():
        raise ValueError("not an address SES can write to")
    return address


def build(to: str, subject: str, text: str, html: str, attachments: Iterable[Attachment] = ()) -> EmailMessage:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = settings().mail_from
    msg["To"] = recipient(to)
    msg["Subject"] = header_value(subject)
    msg["Date"] = email.utils.formatdate(usegmt=True)
    msg["Message-ID"] = email.utils.make_msgid(domain=settings().mail_from.rsplit("@", 1)[-1].rstrip(">"))
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    for item in attachments:
        maintype, subtype = item.content_type.split("/", 1)
        msg.add_attachment(
            item.data,
            maintype=header_value(maintype, 100),
            subtype=header_value(subtype, 100),
            filename=header_value(item.filename, 200) or "file",
        )
    return msg


def send(to: str, name: str, context: dict[str, Any], attachments: Iterable[Attachment] = ()) -> str:
    """Render and send message `name` to `to`; the SES message id."""
    subject, text, html = render(name, context)
    msg = build(to, subject, text, html, attachments)
    try:
        result = aws.ses().send_raw_email(RawMessage={"Data": msg.as_bytes()})
    except (BotoCoreError, ClientError) as exc:
        log_event("mail_failed", template=name, error=type(exc).__name__)
        raise Unavailable("ses") from exc
    log_event("mail_sent", template=name, message_id=result["MessageId"])
    return str(result["MessageId"])
