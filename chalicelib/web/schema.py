"""Small input schemas that both validate requests and describe them in OpenAPI.

A validation failure names each wrong field with a message for the person
(from the locale files), so forms can show it next to the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.errors import ValidationFailed
from chalicelib.i18n import t

_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,20}$")


class FieldError(Exception):
    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.message = t(f"fields.{key}", **params)


@dataclass
class Field:
    required: bool = True
    description: str = ""

    def clean(self, value: Any) -> Any:
        return value

    def json_schema(self) -> dict[str, Any]:
        schema = self._schema()
        if self.description:
            schema["description"] = self.description
        return schema

    def _schema(self) -> dict[str, Any]:
        return {}


@dataclass
class Str(Field):
    min_len: int = 0
    max_len: int = 1000
    format: str | None = None  # "email", "date", "phone"
    choices: tuple[str, ...] = ()
    strip: bool = True

    def clean(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise FieldError("not_text")
        if self.strip:
            value = value.strip()
        if self.required and not value:
            raise FieldError("required")
        if len(value) < self.min_len:
            raise FieldError("too_short", min=self.min_len)
        if len(value) > self.max_len:
            raise FieldError("too_long", max=self.max_len)
        if self.choices and value not in self.choices:
            raise FieldError("not_a_choice")
        if value and self.format == "email":
            from chalicelib.mail import is_plain_address

            if not is_plain_address(value):
                raise FieldError("email")
            value = value.lower()
        elif value and self.format == "phone":
            if not _PHONE.match(value):
                raise FieldError("phone")
        elif value and self.format == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise FieldError("date") from None
        return value

    def _schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max_len}
        if self.min_len or self.required:
            schema["minLength"] = max(self.min_len, 1 if self.required else 0)
        if self.format in ("email", "date"):
            schema["format"] = self.format
        if self.choices:
            schema["enum"] = list(self.choices)
        return schema


@dataclass
class Int(Field):
    minimum: int | None = None
    maximum: int | None = None

    def clean(self, value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,12}", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError("not_integer")
        if self.minimum is not None and value < self.minimum:
            raise FieldError("too_small", min=self.minimum)
        if self.maximum is not None and value > self.maximum:
            raise FieldError("too_large", max=self.maximum)
        return value

    def _schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


@dataclass
class Bool(Field):
    def clean(self, value: Any) -> Any:
        if not isinstance(value, bool):
            raise FieldError("not_boolean")
        return value

    def _schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass
class Obj(Field):
    fields: Mapping[str, Field] = field(default_factory=dict)

    def validate(self, data: Any) -> dict[str, Any]:
        """Clean `data` or raise ValidationFailed naming every wrong field."""
        if not isinstance(data, dict):
            raise ValidationFailed("body is not an object", fields={"": t("fields.not_object")})
        cleaned: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for name, spec in self.fields.items():
            raw = data.get(name)
            if raw is None or (isinstance(raw, str) and not raw.strip() and not spec.required):
                if spec.required:
                    problems[name] = t("fields.required")
                else:
                    cleaned[name] = None
                continue
            try:
                cleaned[name] = spec.clean(raw)
            except FieldError as e:
                problems[name] = e.message
        if problems:
            raise ValidationFailed("invalid fields", fields=problems)
        return cleaned

    def clean(self, value: Any) -> Any:
        return self.validate(value)

    def _schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: spec.json_schema() for name, spec in self.fields.items()},
        }
        required = [name for name, spec in self.fields.items() if spec.required]
        if required:
            schema["required"] = required
        return schema
