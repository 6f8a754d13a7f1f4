"""Room states (scheduled → lobby → open → closed), changed by conditional writes only."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib.storage.errors import condition_failed, store_errors
from chalicelib.storage.tables import Room


def close_room(room_id: str) -> bool:
    """Close the room now (a cancelled booking); False when it already was."""
    try:
        with store_errors():
            Room(room_id).update(
                actions=[Room.status.set("closed")], condition=Room.room_id.exists() & (Room.status != "closed")
            )
        return True
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
