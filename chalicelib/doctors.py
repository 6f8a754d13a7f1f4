"""Specialties, doctors and their schedules, as the registry manages them."""

from __future__ import annotations

import re
import uuid
from typing import Any

from chalicelib import roles
from chalicelib.accounts import cards
from chalicelib.accounts.sessions import Principal
from chalicelib.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.i18n import t
from chalicelib.logs import log_event
from chalicelib.scheduling import rest_of_window, weekly
from chalicelib.scheduling.materialize import Outcome, materialize, window_days
from chalicelib.storage import doctors as store
from chalicelib.storage.access import plain
from chalicelib.storage.records import Doctor, Specialty


def specialty_view(item: Specialty) -> dict[str, Any]:
    return {"id": item.specialty_id, "name": item.name, "description": item.description or ""}


def doctor_view(doctor: Doctor, with_schedule: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": doctor.doctor_id,
        "full_name": doctor.full_name,
        "bio": doctor.bio or "",
        "specialty": {"id": doctor.specialty_id, "name": doctor.specialty_name},
        "price": int(doctor.price),
        "currency": "RUB",
        "duration_minutes": int(doctor.duration_minutes),
    }
    if with_schedule:
        data["weekly_hours"] = plain(doctor.weekly_hours)
        data["days_off"] = sorted(doctor.days_off or ())
    return data


def list_specialties() -> list[dict[str, Any]]:
    return [specialty_view(s) for s in store.specialties()]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9а-яё]+", "-", name.lower()).strip("-")[:40] or uuid.uuid4().hex[:8]


def create_specialty(name: str, description: str | None) -> dict[str, Any]:
    item = store.new_specialty(f"{_slug(name)}-{uuid.uuid4().hex[:6]}", name, description)
    store.put_specialty(item, new=True)
    return specialty_view(item)


def update_specialty(specialty_id: str, name: str, description: str | None) -> dict[str, Any]:
    item = store.new_specialty(specialty_id, name, description)
    store.put_specialty(item, new=False)
    for doctor in store.doctors(specialty_id):
        store.update_doctor(doctor, specialty_name=name)
    return specialty_view(item)


def list_doctors(specialty_id: str | None) -> list[dict[str, Any]]:
    return [doctor_view(d) for d in store.doctors(specialty_id)]


def get_doctor(doctor_id: str) -> Doctor:
    doctor = store.get_doctor(doctor_id)
    if doctor is None or not doctor.active:
        raise NotFound("doctor")
    return doctor


def _specialty(specialty_id: str) -> Specialty:
    specialty = store.get_specialty(specialty_id)
    if specialty is None:
        raise ValidationFailed("specialty", fields={"specialty_id": t("fields.unknown_specialty")})
    return specialty


def add_doctor(
    staff: Principal, email: str, full_name: str, specialty_id: str, bio: str | None, price: int, duration_minutes: int
) -> dict[str, Any]:
    """Give a person the doctor's role and a public card; a new person gets credentials by email."""
    specialty = _specialty(specialty_id)
    user_id = cards.ensure_person_with_role(staff, email=email, full_name=full_name, role=roles.DOCTOR)
    doctor = store.new_doctor(
        user_id,
        full_name=full_name,
        specialty_id=specialty.specialty_id,
        specialty_name=specialty.name,
        bio=bio,
        price=price,
        duration_minutes=duration_minutes,
        active=True,
        weekly_hours={},
        days_off=set(),
    )
    store.create_doctor(doctor)
    log_event("doctor_added", doctor_id=user_id, by=staff.user_id)
    return doctor_view(doctor, with_schedule=True)


def update_doctor(staff: Principal, doctor_id: str, **changes: Any) -> dict[str, Any]:
    doctor = get_doctor(doctor_id)
    values = {k: v for k, v in changes.items() if v is not None}
    if not values:
        return doctor_view(doctor, with_schedule=True)
    if "specialty_id" in values:
        values["specialty_name"] = _specialty(values["specialty_id"]).name
    if "duration_minutes" in values:
        weekly.check_week_size(plain(doctor.weekly_hours) or {}, int(values["duration_minutes"]), "duration_minutes")
    store.update_doctor(doctor, **values)
    updated = get_doctor(doctor_id)
    bring_slots_in_line(updated)
    log_event("doctor_updated", doctor_id=doctor_id, by=staff.user_id)
    return doctor_view(updated, with_schedule=True)


def may_edit_schedule(principal: Principal, doctor_id: str) -> bool:
    """The doctor their own; the registry anyone's."""
    return (principal.user_id == doctor_id and principal.has(roles.DOCTOR)) or principal.has(
        roles.REGISTRAR, roles.ADMIN
    )


def set_schedule(principal: Principal, doctor_id: str, weekly_hours: Any, days_off: Any) -> dict[str, Any]:
    if not may_edit_schedule(principal, doctor_id):
        raise Forbidden()
    doctor = get_doctor(doctor_id)
    hours = weekly.parse_weekly_hours(weekly_hours)
    weekly.check_week_size(hours, int(doctor.duration_minutes), "weekly_hours")
    off = weekly.parse_days_off(days_off)
    store.update_doctor(doctor, weekly_hours=hours, days_off=off or None)
    updated = get_doctor(doctor_id)
    outcome, rest = bring_slots_in_line(updated)
    log_event(
        "schedule_set",
        doctor_id=doctor_id,
        by=principal.user_id,
        created=outcome.created,
        removed=outcome.removed,
        kept=outcome.kept_taken,
        rest=rest,
    )
    view = doctor_view(updated, with_schedule=True)
    view["slots"] = {
        "created": outcome.created,
        "removed": outcome.removed,
        "kept_taken": outcome.kept_taken,
        "days_done": window_days(rest_of_window.NEAR_DAYS),
        "rest": rest,
    }
    return view


def bring_slots_in_line(doctor: Doctor) -> tuple[Outcome, str]:
    """The next two weeks now; the rest of the window from the queue ("queued"), or by the daily roll
    ("daily") if the queue cannot be reached; "none" when two weeks are the whole window."""
    outcome = materialize(doctor, days=rest_of_window.NEAR_DAYS)
    if window_days(None) <= rest_of_window.NEAR_DAYS:
        return outcome, "none"
    return outcome, "queued" if rest_of_window.ask_for_rest(doctor.doctor_id) else "daily"


def extend_all_schedules() -> int:
    """The daily roll of the 8-week window (and, locally, the drop-in slots)."""
    count = 0
    for doctor in store.doctors():
        materialize(doctor)
        count += 1
    return count
