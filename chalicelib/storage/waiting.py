"""Who waits in a room's lobby: the patient's presence and device check on the room item, and the doctor's queue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.storage.access import plain, update_if
from chalicelib.storage.batch import get_many
from chalicelib.storage.tables import Room


def waiting_of(room: Room) -> dict[str, Any]:
    """The patient's last report as read with the room ({} when none)."""
    return plain(room.patient_waiting)


def report(room_id: str, entry: dict[str, Any], now_key: str) -> bool:
    """The patient's report, only while the room waits for the call: in the lobby or open, not ended, before its
    close (`now_key`: now, as the room's times are written). False (nothing written) otherwise."""
    room = Room(room_id)
    return update_if(
        room,
        [Room.patient_waiting.set(entry)],
        Room.room_id.exists()
        & Room.status.is_in("lobby", "open")
        & Room.ended_at.does_not_exist()
        & (Room.closes_at > now_key),
    )


def leave(room_id: str) -> None:
    """The patient left the lobby (joined the call, closed the page): not waiting any more."""
    update_if(Room(room_id), [Room.patient_waiting.remove()], Room.room_id.exists())


def rooms(room_ids: Iterable[str]) -> list[Room]:
    """The rooms in one BatchGetItem (at most 100: a doctor's rooms around now are a few)."""
    keys = [(Room, room_id, None) for room_id in sorted(set(room_ids))][:100]
    found = get_many(keys) if keys else {}
    return [item for item in found.values() if isinstance(item, Room)]
