"""Keep a doctor's slots in step with the schedule, for a rolling 8-week window.

Slots that someone holds or has booked are never removed; new slots that
would overlap them are not made.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.scheduling.times import from_key, to_key
from chalicelib.scheduling.weekly import drop_in_slots, weekly_slots
from chalicelib.storage import slots as store
from chalicelib.storage.access import plain
from chalicelib.storage.records import Doctor
from chalicelib.timefmt import clinic_zone

PARALLEL_WRITES = 8


@dataclass
class Outcome:
    created: int = 0
    removed: int = 0
    kept_taken: int = 0


def desired_slots(
    doctor: Doctor, current: dt.datetime, days: int | None = None
) -> list[tuple[dt.datetime, dt.datetime]]:
    zone = clinic_zone()
    first_day = current.astimezone(zone).date()
    wanted = weekly_slots(
        plain(doctor.weekly_hours),
        doctor.days_off or set(),
        int(doctor.duration_minutes),
        zone,
        first_day,
        settings().slot_window_days + 1,
    )
    if doctor.drop_in_minutes and settings().is_local:
        drop_in = drop_in_slots(int(doctor.drop_in_minutes), current)
        window_end = drop_in[-1][1]
        wanted = [s for s in wanted if s[1] <= drop_in[0][0] or s[0] >= window_end] + drop_in
    horizon = current + dt.timedelta(days=window_days(days))
    return sorted(s for s in wanted if current < s[0] <= horizon)


def window_days(days: int | None) -> int:
    """The days ahead to bring in line: all of the rolling window, or its first `days`."""
    whole = settings().slot_window_days
    return whole if days is None else max(1, min(days, whole))


def _overlaps(start: dt.datetime, end: dt.datetime, taken: list[tuple[dt.datetime, dt.datetime]]) -> bool:
    return any(start < t_end and t_start < end for t_start, t_end in taken)


def materialize(
    doctor: Doctor, current: dt.datetime | None = None, *, unserved: bool = False, days: int | None = None
) -> Outcome:
    """Bring the doctor's slots in line with the schedule, over the whole window or its first `days`.

    `unserved`: nobody can hold a slot yet (a new stack being seeded), so new
    slots may be written in batches instead of one conditional write each.
    """
    current = current or now()
    now_key = to_key(current)
    # The whole window looks one day further, for slots left beyond it (a window made shorter).
    horizon_key = to_key(current + dt.timedelta(days=window_days(days) + (1 if days is None else 0)))
    wanted = {(to_key(s), to_key(e)) for s, e in desired_slots(doctor, current, days)}
    existing = store.slots_between(doctor.doctor_id, now_key, horizon_key, consistent=True)
    outcome = Outcome()
    taken: list[tuple[dt.datetime, dt.datetime]] = []
    card = {"price": int(doctor.price), "doctor_name": doctor.full_name, "specialty_name": doctor.specialty_name}
    unwanted = []
    for slot in existing:
        key = (slot.starts_at, slot.ends_at)
        if key in wanted:
            wanted.discard(key)
            if slot.status == "free" and any(getattr(slot, k) != v for k, v in card.items()):
                store.reprice_free_slot(slot, now_key, **card)
            continue
        unwanted.append(slot)
    if unwanted:
        with ThreadPoolExecutor(PARALLEL_WRITES) as pool:
            removed = list(pool.map(lambda slot: store.remove_free_slot(slot, now_key), unwanted))
        for slot, gone in zip(unwanted, removed):
            if gone:
                outcome.removed += 1
            else:
                outcome.kept_taken += 1
                taken.append((from_key(slot.starts_at), from_key(slot.ends_at)))
    new = [
        store.new_slot(doctor.doctor_id, start, ends_at=end, **card)
        for start, end in sorted(wanted)
        if not _overlaps(from_key(start), from_key(end), taken)
    ]
    if new and unserved:
        outcome.created = store.create_slots_in_batches(new)
    elif new:
        with ThreadPoolExecutor(PARALLEL_WRITES) as pool:
            outcome.created = sum(pool.map(store.create_slot, new))
    return outcome
