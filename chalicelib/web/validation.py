"""A request's body, query or headers through its model; what is wrong, per field, in the person's words.

Each pydantic error type is mapped to a `fields.*` message of the locale files (our own checks in
`chalicelib.contract.fields` already name theirs), so a form can show it next to the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalicelib.errors import ValidationFailed
from chalicelib.i18n import t

if TYPE_CHECKING:
    from pydantic import BaseModel

# pydantic's error type → (the locale key, the key's parameter ← the error context's name).
_MESSAGES: dict[str, tuple[str, tuple[str, str] | None]] = {
    "missing": ("required", None),
    "string_type": ("not_text", None),
    "string_too_short": ("too_short", ("min", "min_length")),
    "string_too_long": ("too_long", ("max", "max_length")),
    "literal_error": ("not_a_choice", None),
    "enum": ("not_a_choice", None),
    "int_type": ("not_integer", None),
    "int_parsing": ("not_integer", None),
    "greater_than_equal": ("too_small", ("min", "ge")),
    "less_than_equal": ("too_large", ("max", "le")),
    "bool_type": ("not_boolean", None),
    "bool_parsing": ("not_boolean", None),
    "model_type": ("not_object", None),
    "dict_type": ("not_object", None),
    "list_type": ("not_list", None),
    "too_short": ("too_few", ("min", "min_length")),
    "too_long": ("too_many", ("max", "max_length")),
}


def _message(error: Mapping[str, Any]) -> str:
    kind, given = error["type"], error.get("input")
    blank = given is None or (isinstance(given, str) and not given.strip())
    if kind == "missing" or given is None or (kind == "string_too_short" and blank):
        return t("fields.required")
    if kind not in _MESSAGES:  # one of ours: its type is the key, its context the parameters
        return t(f"fields.{kind}", **(error.get("ctx") or {}))
    key, param = _MESSAGES[kind]
    params: dict[str, Any] = {param[0]: (error.get("ctx") or {}).get(param[1])} if param else {}
    return t(f"fields.{key}", **params)


def validate(model: type[BaseModel], data: Any) -> dict[str, Any]:
    """`data` cleaned by `model` (every declared field, None for an optional one not given), or
    ValidationFailed naming every wrong field."""
    from pydantic import ValidationError  # loaded with `model`'s module (chalicelib.web.routing.Model)

    if not isinstance(data, dict):
        raise ValidationFailed("body is not an object", fields={"": t("fields.not_object")})
    try:
        return model.model_validate(data).model_dump(by_alias=True)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            problems.setdefault(name, _message(error))
        raise ValidationFailed("invalid fields", fields=problems) from None
