"""Which version of each legal document is in force, and its text for one patient.

The versions, and which documents are required before booking, optional or withdrawable, are not code: they are the
manifest `documents.json` beside the templates (`settings().legal.documents_dir`), versioned with them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import pathlib
from dataclasses import dataclass
from typing import Any

from chalicelib.config import settings
from chalicelib.errors import DomainError
from chalicelib.i18n import count, t
from chalicelib.storage.records import User
from chalicelib.timefmt import format_date

MANIFEST = "documents.json"


class ConsentRequired(DomainError):
    """A document required before booking and paying is not signed in its current version (the message names them)."""

    code = "consent_required"


@dataclass(frozen=True)
class Entry:
    """One document of the manifest."""

    kind: str
    version: str
    required_before_booking: bool
    withdrawable: bool
    personal_data: bool
    # Withdrawal: what stops, what goes on, what is kept (locale keys under legal.withdrawal.*), and the consents
    # that rest on this one and are withdrawn with it.
    stops: tuple[str, ...] = ()
    continues: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    also_withdraws: tuple[str, ...] = ()


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


@functools.lru_cache(maxsize=4)
def _manifest(path: pathlib.Path, modified: int) -> tuple[Entry, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Entry(
            kind=str(item["kind"]),
            version=str(item["version"]),
            required_before_booking=bool(item.get("required_before_booking", False)),
            withdrawable=bool(item.get("withdrawable", False)),
            personal_data=bool(item.get("personal_data", False)),
            stops=tuple(item.get("on_withdrawal", {}).get("stops", ())),
            continues=tuple(item.get("on_withdrawal", {}).get("continues", ())),
            kept=tuple(item.get("on_withdrawal", {}).get("kept", ())),
            also_withdraws=tuple(item.get("also_withdraws", ())),
        )
        for item in data["documents"]
    )


def in_force() -> tuple[Entry, ...]:
    """The documents in force, in the manifest's order (the order the patient reads them)."""
    path = pathlib.Path(settings().legal.documents_dir) / MANIFEST
    # Read again when the file changes (a new version published beside a running local stack).
    return _manifest(path, path.stat().st_mtime_ns)


def entry(kind: str) -> Entry | None:
    return next((item for item in in_force() if item.kind == kind), None)


def current_version(kind: str) -> str | None:
    found = entry(kind)
    return found.version if found else None


def is_withdrawable(kind: str) -> bool:
    found = entry(kind)
    return bool(found and found.withdrawable)


def personal_data_kind() -> str:
    """The personal-data consent's kind (the one whose withdrawal the registry sees)."""
    return next(item.kind for item in in_force() if item.personal_data)


@functools.lru_cache(maxsize=4)
def _env(directory: str) -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape  # as in mail._env

    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def title(kind: str) -> str:
    return t(f"legal.titles.{kind}")


def _context(patient: User) -> dict[str, Any]:
    s = settings()
    law = s.legal
    birth = format_date(dt.date.fromisoformat(patient.birth_date)) if patient.birth_date else "—"
    return {
        "clinic": {
            "name": s.clinic_name,
            "address": s.clinic_address,
            "inn": law.operator_inn,
            "ogrn": law.operator_ogrn,
            "privacy_email": law.operator_email,
            "site": s.public_base_url,
        },
        "recipients": {"payments": law.payment_provider, "hosting": law.hosting_provider},
        "terms": {
            "consent_term": count(law.consent_term_years, "years"),
            "medical_records_years": law.medical_records_years,
            "medical_records_basis": law.medical_records_basis,
            "payment_records_years": law.payment_records_years,
            "payment_records_basis": law.payment_records_basis,
        },
        "patient": {
            "full_name": patient.full_name,
            "birth_date_text": birth,
            "email": patient.email,
            "phone": patient.phone or "—",
            "card_number": patient.card_number or "—",
        },
    }


def render(kind: str, version: str, patient: User) -> Document:
    """The exact text the patient reads and signs."""
    html = _env(settings().legal.documents_dir).get_template(f"{kind}-{version}.html").render(_context(patient))
    return Document(kind, version, title(kind), html)


def current(patient: User) -> list[Document]:
    return [render(item.kind, item.version, patient) for item in in_force()]


def missing_signatures(signed: dict[str, str]) -> list[str]:
    """Kinds required before booking whose current version the person has not signed (or has withdrawn)."""
    return [item.kind for item in in_force() if item.required_before_booking and signed.get(item.kind) != item.version]


def require_signatures(signed: dict[str, str]) -> None:
    """Holds and payments: refuse, naming every document still to sign, unless all required ones are signed."""
    missing = missing_signatures(signed)
    if missing:
        raise ConsentRequired(
            ",".join(missing),
            documents=", ".join(f"«{title(kind)}»" for kind in missing),
            data={"missing": missing},
        )
