"""The moto version the local stack's patches were written against: the pin in requirements-dev.txt.

Each patch (`moto_transactions`, `moto_answers`, `moto_queries`) replaces a method of moto's internals;
another moto version may have moved or changed it, so each `install()` refuses any other version.
"""

from __future__ import annotations

import re
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements-dev.txt"


def pinned_version() -> str:
    """The version after `moto[...]==` in requirements-dev.txt (the one place it is written)."""
    found = re.search(r"^moto(?:\[[^\]]*\])?==([^\s;#]+)", REQUIREMENTS.read_text(encoding="utf-8"), re.M)
    if found is None:
        raise RuntimeError(f"{REQUIREMENTS} pins no moto version (a line moto[server]==X.Y.Z)")
    return found.group(1)


def require_pinned_moto(patch: str) -> None:
    """Raise unless the installed moto is the pinned one."""
    import moto

    pinned = pinned_version()
    if moto.__version__ != pinned:
        raise RuntimeError(
            f"local/{patch}.py patches moto {pinned}'s internals (the pin in requirements-dev.txt), but moto "
            f"{moto.__version__} is installed: reinstall the pinned one (make deps), or check the patch against "
            f"moto {moto.__version__} and move the pin"
        )
