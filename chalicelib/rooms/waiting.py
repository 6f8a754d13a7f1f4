"""The waiting queue: the patient (or their invited guest) in a room's lobby says they are there, with their device
check, and the doctor's day page shows who waits in his rooms now.

The patient's page reports every HEARTBEAT seconds while waiting; a report older than GONE_AFTER means they left
(a closed laptop sends nothing). Leaving the lobby (the call begins, the page is closed) removes the report at
once. The queue shows the patient's name, since when, and the device check's verdict: no medical data, so its
reads are not audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.accounts.sessions import Principal
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.errors import DomainError, Forbidden
from chalicelib.rooms import service
from chalicelib.rooms.resend import ConsultationEnded
from chalicelib.scheduling.times import from_key, in_zone, to_key
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import waiting as store
from chalicelib.storage.records import Booking, Room
from chalicelib.timefmt import clinic_zone

HEARTBEAT = dt.timedelta(seconds=15)
GONE_AFTER = dt.timedelta(seconds=45)
# A silent gap this short is the same visit (a background tab's timers may fire once a minute): `since` is kept.
SAME_VISIT = dt.timedelta(minutes=5)
# The seed's lower bound of the patient's upstream (frontend/src/room/requirements.ts: MIN_UPSTREAM_KBPS).
MIN_UPSTREAM_KBPS = 128
# A consultation lasts at most 240 minutes (contract.doctors.Duration); its room closes a grace after it.
LONGEST_ROOM = dt.timedelta(minutes=240)
WAITING_ROOMS = ("lobby", "open")
WAITING_ROLES = (service.PATIENT, service.GUEST)
LIVE_BOOKINGS = ("paid", "in_progress")


class LobbyNotOpen(DomainError):
    """The room is not waiting for its call: before the lobby opens, or over."""

    code = "lobby_not_open"


def verdict(camera: str, microphone: str, network_kbps: int | None) -> str:
    """ok: camera, microphone and the seed's upstream; fail: any of them missing or too slow; else checking."""
    if camera == "no" or microphone == "no" or (network_kbps is not None and network_kbps < MIN_UPSTREAM_KBPS):
        return "fail"
    if camera == "yes" and microphone == "yes" and network_kbps is not None:
        return "ok"
    return "checking"


def _fresh(entry: dict[str, Any], current: dt.datetime, within: dt.timedelta = GONE_AFTER) -> bool:
    seen = entry.get("seen_at")
    return bool(seen) and current - dt.datetime.fromisoformat(str(seen)) <= within


def report(room: Room, role: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The patient (by the link or their session) or the invited guest (by their link) is in the lobby with this
    device check; only while the room is in its lobby or open and not ended. `since` stays from the first report
    unless the reports stopped for longer than SAME_VISIT or they left."""
    if role not in WAITING_ROLES:
        raise Forbidden()
    current = now()
    status = service.room_status(room, current)
    if room.ended_at is not None:
        raise ConsultationEnded()
    if status == "closed":
        raise service.RoomClosed()
    if status not in WAITING_ROOMS:
        raise LobbyNotOpen()
    earlier = store.waiting_of(room, role)
    since = earlier["since"] if earlier.get("since") and _fresh(earlier, current, SAME_VISIT) else current.isoformat()
    entry = {
        "since": since,
        "seen_at": current.isoformat(),
        "camera": facts["camera"],
        "microphone": facts["microphone"],
        "network_kbps": facts.get("network_kbps"),
        "verdict": verdict(facts["camera"], facts["microphone"], facts.get("network_kbps")),
    }
    if not store.report(room.room_id, role, entry, to_key(current)):
        raise LobbyNotOpen()  # closed or ended (or the guest revoked) since it was read
    zone = clinic_zone()
    return {
        "since": dt.datetime.fromisoformat(since).astimezone(zone).isoformat(),
        "verdict": entry["verdict"],
        "next_in_seconds": int(HEARTBEAT.total_seconds()),
    }


def leave(room: Room, role: str) -> None:
    if role not in WAITING_ROLES:
        raise Forbidden()
    if store.waiting_of(room, role):
        store.leave(room.room_id, role)


def queue(doctor: Principal) -> list[dict[str, Any]]:
    """Who waits now in the lobby of this doctor's rooms: one Query of his bookings whose room may be open now,
    then one BatchGetItem of those rooms (none when no room is open: the usual answer costs one request)."""
    current = now()
    lobby = dt.timedelta(minutes=settings().room_lobby_minutes)
    grace = dt.timedelta(minutes=settings().room_grace_minutes)
    found = booking_store.bookings_of_doctor(
        doctor.user_id, to_key(current - LONGEST_ROOM - grace), to_key(current + lobby)
    )
    bookings = {b.room_id: b for b in found if b.room_id and b.status in LIVE_BOOKINGS and _room_window(b, current)}
    rows: list[dict[str, Any]] = []
    for room in store.rooms(bookings):
        if room.doctor_id != doctor.user_id or room.ended_at is not None:
            continue
        if service.room_status(room, current) not in WAITING_ROOMS:
            continue
        for role in WAITING_ROLES:
            entry = store.waiting_of(room, role)
            if entry and _fresh(entry, current) and (role == service.PATIENT or room.guest_status == "invited"):
                rows.append(_row(room, bookings[room.room_id], role, entry))
    return sorted(rows, key=lambda row: (row["since"], row["room_id"], row["role"]))


def _room_window(booking: Booking, current: dt.datetime) -> bool:
    opens, closes = booking.room_opens_at, booking.room_closes_at
    return bool(opens and closes) and from_key(str(opens)) <= current < from_key(str(closes))


def _row(room: Room, booking: Booking, role: str, entry: dict[str, Any]) -> dict[str, Any]:
    zone = clinic_zone()
    kbps = entry.get("network_kbps")
    return {
        "room_id": room.room_id,
        "booking_id": room.booking_id,
        "role": role,
        "full_name": booking.patient_name if role == service.PATIENT else str(room.guest_name or ""),
        "patient_name": booking.patient_name,
        "starts_at": in_zone(room.starts_at, zone),
        "since": dt.datetime.fromisoformat(str(entry["since"])).astimezone(zone).isoformat(),
        "camera": entry.get("camera", "checking"),
        "microphone": entry.get("microphone", "checking"),
        "network_kbps": int(kbps) if kbps is not None else None,
        "verdict": entry.get("verdict", "checking"),
        "room_status": service.room_status(room, now()),
    }
