"""Room states (scheduled → lobby → open → closed), changed by conditional writes only."""

from __future__ import annotations

from chalicelib.clock import now
from chalicelib.storage import rooms as store


def close_room(room_id: str) -> bool:
    """Close the room now (a cancelled booking); False when it already was."""
    return store.close_room(room_id, now().isoformat())
