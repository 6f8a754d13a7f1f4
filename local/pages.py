"""Pages the local stack adds beside the product: the outbox of sent emails and SMS."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from local.server import site_headers

TEMPLATES = Path(__file__).resolve().parent / "templates"
_URL = re.compile(r"https?://[^\s<>\"']+")


def _linkify(text: str) -> Markup:
    escaped = str(escape(text))
    return Markup(_URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))


@functools.lru_cache(maxsize=1)
def _env() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters["linkify"] = _linkify
    return env


def outbox_page(handler: Any) -> None:
    from chalicelib.devtools import outbox

    html = _env().get_template("outbox.html").render(messages=outbox.messages(), sms=outbox.sms_messages())
    handler.send_bytes(
        200, html.encode("utf-8"), "text/html; charset=utf-8", {**site_headers(), "Cache-Control": "no-store"}
    )


def outbox_css(handler: Any) -> None:
    handler.send_bytes(200, (TEMPLATES / "outbox.css").read_bytes(), "text/css; charset=utf-8")


def outbox_attachment(handler: Any) -> None:
    from chalicelib.devtools import outbox

    match = re.fullmatch(r"/dev/outbox/([^/]+)/attachments/(\d+)", urlsplit(handler.path).path)
    found = outbox.attachment(match.group(1), int(match.group(2))) if match else None
    if found is None:
        return handler.send_bytes(404, "Вложение не найдено".encode(), "text/plain; charset=utf-8")
    filename, content_type, data = found
    from urllib.parse import quote

    handler.send_bytes(
        200, data, content_type, {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
    )


class Pages(dict):
    """Exact paths, plus the outbox's attachment downloads."""

    def __contains__(self, path: object) -> bool:
        return dict.__contains__(self, path) or (isinstance(path, str) and path.startswith("/dev/outbox/"))

    def __getitem__(self, path: str) -> Callable[[Any], None]:
        if dict.__contains__(self, path):
            return dict.__getitem__(self, path)
        return outbox_attachment


def pages() -> Pages:
    return Pages({"/dev/outbox": outbox_page, "/dev/outbox.css": outbox_css})
