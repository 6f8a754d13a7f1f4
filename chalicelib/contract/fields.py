"""The building blocks of requests and responses.

Request fields check a value the way the forms need it, and pydantic describes the same constraints
in OpenAPI. A check of our own raises an error whose type is its message's key (`fields.<type>` in
the locale files); pydantic's own error types are mapped to those keys by `chalicelib.web.validation`.
What a request field accepts is what it always did: text is stripped (passwords and conclusions are
not), a blank optional field is None, a whole number may come as digits in a string (query strings)
but never as 5.0 or true, and a field not declared is ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from chalicelib.mail import is_plain_address

T = TypeVar("T")


class Request(BaseModel):
    """A request's body, query or headers; fields it does not declare are ignored."""

    # Built on first use, not at `import app` (cold starts: bench/cold_start.py).
    model_config = ConfigDict(extra="ignore", defer_build=True)


class Response(BaseModel):
    """An answer: closed, so a field the app returns without declaring it fails the contract tests."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


_CHOICE_MAX = 1000  # a choice was text of at most 1000 characters before it was one of a few words


def _choice(value: Any) -> Any:
    """A choice is checked as text first (the order of the forms' messages)."""
    if not isinstance(value, str):
        raise PydanticCustomError("not_text", "not text")
    value = value.strip()
    if not value:
        raise PydanticCustomError("required", "required")
    if len(value) > _CHOICE_MAX:
        raise PydanticCustomError("too_long", "too long", {"max": _CHOICE_MAX})
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,12}", value.strip()):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("not_integer", "not an integer")
    return value


def _present(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("required", "required")
    return value


def _email(value: str) -> str:
    """Stored as typed (lower-cased): an international domain stays in its letters (почта.рф) and is written in
    IDNA only when mail is sent (chalicelib.mail). SES has no SMTPUTF8: the part before @ must be Latin."""
    if not is_plain_address(value):
        raise PydanticCustomError("email", "not a plain email address")
    local, _, domain = value.rpartition("@")
    if not local.isascii():
        raise PydanticCustomError("email_local_latin", "the part before @ is not ASCII")
    try:
        domain.encode("idna")
    except UnicodeError:
        raise PydanticCustomError("email", "the domain cannot be written in IDNA") from None
    return value.lower()


_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,24}$")


def _phone(value: str) -> str:
    """A Russian number of 11 digits: +7 or 8 (or 7) and ten more; spaces, dashes and brackets allowed.
    Answered in E.164: +79123456789."""
    digits = re.sub(r"\D", "", value)
    if not _PHONE.match(value) or len(digits) != 11 or digits[0] not in "78" or (value[0] == "+" and digits[0] != "7"):
        raise PydanticCustomError("phone", "not a Russian phone number of 11 digits")
    return "+7" + digits[1:]


def _date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date", "not a date") from None
    return value


# Optional[X] for requests: missing, null and blank text are all None.
Maybe = Annotated[T | None, BeforeValidator(_blank_is_none)]
# Text, stripped, not blank; lengths with Field(min_length=…, max_length=…).
Text = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1)]
# Text as typed: passwords, conclusions' sections, tokens.
Verbatim = Annotated[str, Strict(), StringConstraints(min_length=1)]
Email = Annotated[Text, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(_email)]
Phone = Annotated[Text, Field(max_length=32), AfterValidator(_phone)]
Date = Annotated[Text, Field(max_length=1000, json_schema_extra={"format": "date"}), AfterValidator(_date)]
# A whole number: Annotated[int, Field(ge=…, le=…), WHOLE] (the bounds before WHOLE, so OpenAPI shows them).
WHOLE = BeforeValidator(_whole)
# One of a few words: Annotated[Literal[…], CHOICE].
CHOICE = BeforeValidator(_choice)
# A JSON value the domain checks itself (weekly hours, days off); null is missing.
Anything = Annotated[Any, BeforeValidator(_present)]

# In a response, `x: str | Absent = None`: x may be left out, but is never null.
Absent = SkipJsonSchema[None]

Role = Literal["patient", "doctor", "registrar", "admin"]
