"""What each person sees: a doctor's free slots, one's bookings, a doctor's day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib import audit, roles
from chalicelib.accounts.sessions import Principal
from chalicelib.booking.shapes import booking_view, slot_view
from chalicelib.clock import now
from chalicelib.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.i18n import t
from chalicelib.scheduling.times import to_key
from chalicelib.storage import accounts as account_store
from chalicelib.storage import bookings as store
from chalicelib.storage import slots as slot_store
from chalicelib.timefmt import clinic_zone

MAX_RANGE_DAYS = 31


def _day_bounds(first: dt.date, last: dt.date) -> tuple[str, str]:
    zone = clinic_zone()
    start = dt.datetime.combine(first, dt.time(0, 0), zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 0), zone)
    return to_key(start), to_key(end)


def free_slots(doctor_id: str, from_date: str | None, to_date: str | None) -> list[dict[str, Any]]:
    """A doctor's free slots between two dates of the clinic's calendar: one Query."""
    current = now()
    today = current.astimezone(clinic_zone()).date()
    first = dt.date.fromisoformat(from_date) if from_date else today
    last = dt.date.fromisoformat(to_date) if to_date else first + dt.timedelta(days=6)
    if last < first:
        raise ValidationFailed("range", fields={"to": t("fields.range_order")})
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValidationFailed("range", fields={"to": t("fields.range_too_long", days=MAX_RANGE_DAYS)})
    from_key, to_key_ = _day_bounds(max(first, today), last)
    now_key = to_key(current)
    from_key = max(from_key, now_key)
    return [
        slot_view(s)
        for s in slot_store.free_slots_between(doctor_id, from_key, to_key_, now_key)
        if s.starts_at > now_key
    ]


def my_bookings(principal: Principal, as_role: str | None) -> list[dict[str, Any]]:
    """The person's bookings as a patient, or as a doctor (the active role decides)."""
    current = now()
    role = as_role or (roles.PATIENT if principal.has(roles.PATIENT) else roles.DOCTOR)
    if role == roles.DOCTOR:
        if not principal.has(roles.DOCTOR):
            raise Forbidden()
        found = store.bookings_of_doctor(principal.user_id)
        found.sort(key=lambda b: b.starts_at, reverse=True)
    elif role == roles.PATIENT:
        found = store.bookings_of_patient(principal.user_id)
    else:
        raise Forbidden()
    return [booking_view(b, current, principal.user_id) for b in found]


def patient_bookings(staff: Principal, patient_id: str, ip: str, user_agent: str) -> list[dict[str, Any]]:
    """A patient's bookings for the registry, newest first; the read goes into the audit log first."""
    patient = account_store.get_user(patient_id)
    if patient is None or roles.PATIENT not in (patient.roles or set()):
        raise NotFound("patient")
    audit.record(staff, "read_patient_bookings", "patient", patient_id, patient_id, ip, user_agent)
    current = now()
    return [booking_view(b, current) for b in store.bookings_of_patient(patient_id)]


def doctor_day(principal: Principal, day: str | None) -> list[dict[str, Any]]:
    """The doctor's consultations of one day of the clinic's calendar (paid and on)."""
    current = now()
    first = dt.date.fromisoformat(day) if day else current.astimezone(clinic_zone()).date()
    from_key, to_key_ = _day_bounds(first, first)
    found = store.bookings_of_doctor(principal.user_id, from_key, to_key_)
    hidden = {"held", "awaiting_payment", "expired", "cancelled", "refunded"}
    return [booking_view(b, current) for b in sorted(found, key=lambda b: b.starts_at) if b.status not in hidden]
