"""Holding a slot for a patient, and letting it go."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.accounts.sessions import Principal
from chalicelib.booking import access, rules
from chalicelib.booking.shapes import booking_view, slot_view
from chalicelib.clock import now
from chalicelib.errors import DomainError, NotFound
from chalicelib.legal.documents import require_signatures
from chalicelib.logs import log_event
from chalicelib.scheduling.times import from_key, parse_slot_id, to_key
from chalicelib.storage import bookings as store
from chalicelib.storage import slots as slot_store
from chalicelib.storage.batch import get_many
from chalicelib.storage.records import Booking, Slot


class SlotTaken(DomainError):
    code = "slot_taken"


class SlotAlreadyYours(DomainError):
    code = "slot_already_yours"


class HoldLimitReached(DomainError):
    code = "hold_limit"


def slot_key(slot_id: str) -> list[Any]:
    """The slot a hold needs, to be read with the session in one round trip."""
    parsed = parse_slot_id(slot_id)
    return [slot_store.slot_key(*parsed)] if parsed else []


def _nearest_free(doctor_id: str, after_key: str, now_key: str) -> list[dict[str, Any]]:
    until = to_key(from_key(after_key) + dt.timedelta(days=14))
    return [slot_view(s) for s in slot_store.free_slots_after(doctor_id, after_key, until, now_key, limit=3)]


def hold(
    principal: Principal, slot_id: str, patient_time_zone: str | None, loaded: dict[Any, Any] | None = None
) -> dict[str, Any]:
    """Hold the slot for `hold_duration`: one conditional transaction; never two patients."""
    require_signatures(principal.signed_documents)
    parsed = parse_slot_id(slot_id)
    if parsed is None:
        raise NotFound("slot")
    doctor_id, start_key = parsed
    if loaded is None:
        loaded = get_many(slot_key(slot_id))
    slot = loaded.get(slot_store.slot_key(doctor_id, start_key))
    if not isinstance(slot, Slot):
        raise NotFound("slot")
    current = now()
    now_key = to_key(current)
    taken = slot.starts_at <= now_key or not (
        slot.status == "free" or rules.hold_has_expired(slot.status, slot.hold_expires_at, now_key)
    )
    if taken:
        mine = (
            slot.booking_id
            and (own := store.get_booking(slot.booking_id)) is not None
            and access.is_patient_of(principal, own)
            and own.status in (*rules.UNPAID, rules.PAID)
        )
        if mine:
            raise SlotAlreadyYours(slot_id, data={"booking_id": slot.booking_id})
        raise SlotTaken(slot_id, data={"nearest": _nearest_free(doctor_id, slot.starts_at, now_key)})
    zone = _zone_or_none(patient_time_zone)
    expires_key = rules.hold_expiry(current)
    booking = store.new_booking(
        uuid.uuid4().hex,
        patient_id=principal.user_id,
        doctor_id=doctor_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        status=rules.HELD,
        hold_expires_at=expires_key,
        allowance_n=0,
        price=int(slot.price),
        patient_email=principal.email,
        patient_name=principal.full_name,
        patient_time_zone=zone,
        doctor_name=slot.doctor_name,
        specialty_name=slot.specialty_name,
        created_at=current.isoformat(),
        updated_at=current.isoformat(),
    )
    # Most patients hold nothing else: try the first allowance; look at the others only when it is taken.
    for attempt in range(2):
        allowance = store.new_allowance(
            principal.user_id,
            int(booking.allowance_n),
            booking_id=booking.booking_id,
            expires_at=expires_key,
            ttl=current + rules.hold_duration() + dt.timedelta(days=1),
        )
        try:
            store.hold(slot, booking, allowance, now_key)
            break
        except store.HoldRefused as refused:
            if refused.slot:
                raise SlotTaken(slot_id, data={"nearest": _nearest_free(doctor_id, slot.starts_at, now_key)}) from None
            running = [
                int(a.n)
                for a in store.allowances_of(principal.user_id)
                if not rules.hold_ran_out(a.expires_at, now_key)
            ]
            free = rules.free_hold_place(running)
            if free is None or attempt == 1:
                raise HoldLimitReached(limit=rules.hold_limit()) from None
            booking.allowance_n = free
    log_event("slot_held", booking_id=booking.booking_id)
    return booking_view(booking, current)


def _zone_or_none(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def visible_booking(principal: Principal, booking_id: str) -> Booking:
    """The booking, if this person may see it (access.may_see_booking); 404 otherwise."""
    booking = store.get_booking(booking_id)
    if booking is None or not access.may_see_booking(principal, booking):
        raise NotFound("booking")
    return booking


def booking_to_cancel(principal: Principal, booking_id: str) -> Booking:
    """The booking, if this person may cancel it (access.may_cancel); 404 otherwise."""
    booking = visible_booking(principal, booking_id)
    if not access.may_cancel(principal, booking):
        raise NotFound("booking")
    return booking


def cancel_unpaid(principal: Principal, booking: Booking, current: dt.datetime) -> dict[str, Any]:
    """Cancel a held or awaiting-payment booking: its slot is free at once; one whose hold ran out is recorded
    as expired instead. payments.cancellation.cancel calls this, and cancels a paid booking itself."""
    if rules.hold_has_expired(booking.status, booking.hold_expires_at, to_key(current)):
        store.mark_expired(booking, to_key(current))
        return booking_view(store.get_booking(booking.booking_id) or booking, current)
    store.release_hold(booking, rules.CANCELLED, current.isoformat(), rules.UNPAID)
    log_event("booking_cancelled", booking_id=booking.booking_id, by=principal.user_id)
    return booking_view(store.get_booking(booking.booking_id) or booking, current)
