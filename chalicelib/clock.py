"""The service's notion of now, always in UTC. Tests move it with `set_clock`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

_clock: Callable[[], dt.datetime] | None = None


def now() -> dt.datetime:
    return _clock() if _clock is not None else dt.datetime.now(dt.UTC)


def set_clock(clock: Callable[[], dt.datetime] | None) -> None:
    """Replace the clock (None restores the real one)."""
    global _clock
    _clock = clock
