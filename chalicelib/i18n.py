"""Messages for people, kept in `chalicelib/locale/<lang>.json` (Russian first)."""

from __future__ import annotations

import functools
import json
from decimal import Decimal
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


def plural_category(n: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """The CLDR plural category of a whole number: «1 секунда» one, «2 секунды» few, «5 секунд» many."""
    n = abs(n)
    if lang != "ru":
        return "one" if n == 1 else "other"
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def group_digits(n: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """«1 500» with a no-break space between thousands («1,500» in English); up to 9999 too, as in print."""
    return f"{n:,}".replace(",", "\u00a0" if lang == "ru" else ",")


def count(n: int, unit: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A number with its word in the right form: «1 секунда», «3 часа», «15 секунд» (`units.<unit>` in the locale)."""
    category = plural_category(n, lang)
    return t(f"units.{unit}.{category}", lang, n=group_digits(n, lang))


def money(amount: float | str | Decimal, lang: str = DEFAULT_LANGUAGE) -> str:
    """«1 500 ₽» (whole roubles), «1 500,50 ₽» (with kopecks): thousands and the sign set off by no-break spaces."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    roubles = group_digits(int(value), lang)
    kopecks = int((value - int(value)) * 100)
    if kopecks:
        roubles += ("," if lang == "ru" else ".") + f"{kopecks:02d}"
    return f"{roubles}\u00a0₽"
