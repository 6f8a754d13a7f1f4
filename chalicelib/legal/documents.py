"""Which version of each legal document is in force, and its text for one patient."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from chalicelib.config import settings
from chalicelib.i18n import t
from chalicelib.mail import TEMPLATES
from chalicelib.storage.records import User
from chalicelib.timefmt import format_date

CONTRACT = "contract"
CONSENT = "consent"
# A new version: add the template `templates/legal/<kind>-<version>.html` and name it here.
CURRENT_VERSIONS: dict[str, str] = {CONTRACT: "1", CONSENT: "1"}
WITHDRAWABLE = frozenset({CONSENT})
# Signed (in their current versions) before a slot may be held; the booking wizard shows these on one screen.
REQUIRED_BEFORE_BOOKING = frozenset({CONTRACT, CONSENT})


@dataclass(frozen=True)
class Document:
    kind: str
    version: str
    title: str
    html: str

    @property
    def sha256(self) -> str:
        return digest(self.html)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=1)
def _env() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape  # as in mail._env

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def title(kind: str) -> str:
    return t(f"legal.titles.{kind}")


def render(kind: str, version: str, patient: User) -> Document:
    """The exact text the patient reads and signs."""
    s = settings()
    birth = format_date(dt.date.fromisoformat(patient.birth_date)) if patient.birth_date else "—"
    context = {
        "clinic": {"name": s.clinic_name, "address": s.clinic_address},
        "patient": {
            "full_name": patient.full_name,
            "birth_date_text": birth,
            "email": patient.email,
            "phone": patient.phone or "—",
            "card_number": patient.card_number or "—",
        },
    }
    html = _env().get_template(f"legal/{kind}-{version}.html").render(context)
    return Document(kind, version, title(kind), html)


def current(patient: User) -> list[Document]:
    return [render(kind, version, patient) for kind, version in CURRENT_VERSIONS.items()]


def missing_signatures(signed: dict[str, str]) -> list[str]:
    """Kinds required before booking whose current version the person has not signed (or has withdrawn)."""
    return [
        kind
        for kind, version in CURRENT_VERSIONS.items()
        if kind in REQUIRED_BEFORE_BOOKING and signed.get(kind) != version
    ]
