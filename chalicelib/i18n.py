"""Messages for people, kept in `chalicelib/locale/<lang>.json` (Russian first)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

DEFAULT_LANGUAGE = "ru"
LANGUAGES = ("ru", "en")
_LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@functools.cache
def catalog(lang: str) -> dict[str, Any]:
    with open(_LOCALE_DIR / f"{lang}.json", encoding="utf-8") as f:
        loaded = json.load(f)
    if not isinstance(loaded, dict):
        raise ValueError(f"{lang}.json: the catalog must be a JSON object")
    return loaded


def _lookup(tree: dict[str, Any], key: str) -> str | None:
    node: Any = tree
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, str) else None


def t(key: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """The message `key` in `lang`, falling back to Russian, then to the key itself."""
    text = _lookup(catalog(lang if lang in LANGUAGES else DEFAULT_LANGUAGE), key)
    if text is None and lang != DEFAULT_LANGUAGE:
        text = _lookup(catalog(DEFAULT_LANGUAGE), key)
    if text is None:
        return key
    return text.format(**params) if params else text
