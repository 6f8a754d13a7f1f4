"""Who waits in a room's lobby: the patient's (and the guest's) presence and device check on the room item, and the
doctor's queue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.storage.access import plain, update_if
from chalicelib.storage.batch import get_many
from chalicelib.storage.tables import Room

ROLES = ("patient", "guest")


def _attribute(role: str) -> Any:
    return Room.guest_waiting if role == "guest" else Room.patient_waiting


def waiting_of(room: Room, role: str = "patient") -> dict[str, Any]:
    """The last report of the patient (or the guest) as read with the room ({} when none)."""
    return plain(getattr(room, _attribute(role).attr_name))


def report(room_id: str, role: str, entry: dict[str, Any], now_key: str) -> bool:
    """The report, only while the room waits for the call: in the lobby or open, not ended, before its close
    (`now_key`: now, as the room's times are written); a guest's only while still invited. False (nothing
    written) otherwise."""
    condition = (
        Room.room_id.exists()
        & Room.status.is_in("lobby", "open")
        & Room.ended_at.does_not_exist()
        & (Room.closes_at > now_key)
    )
    if role == "guest":
        condition = condition & (Room.guest_status == "invited")
    return update_if(Room(room_id), [_attribute(role).set(entry)], condition)


def leave(room_id: str, role: str = "patient") -> None:
    """Left the lobby (joined the call, closed the page): not waiting any more."""
    update_if(Room(room_id), [_attribute(role).remove()], Room.room_id.exists())


def rooms(room_ids: Iterable[str]) -> list[Room]:
    """The rooms in one BatchGetItem (at most 100: a doctor's rooms around now are a few)."""
    keys = [(Room, room_id, None) for room_id in sorted(set(room_ids))][:100]
    found = get_many(keys) if keys else {}
    return [item for item in found.values() if isinstance(item, Room)]
