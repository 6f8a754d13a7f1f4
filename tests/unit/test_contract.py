"""The models of chalicelib/contract/: one list of statuses, and a message in the person's words for every
way a request can be wrong (each pydantic error type mapped to a `fields.*` key of the locale files)."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from chalicelib.booking import rules
from chalicelib.contract.bookings import BookingStatus
from chalicelib.errors import ValidationFailed
from chalicelib.i18n import catalog
from chalicelib.web.validation import validate

WRONG: list[Any] = [None, "", "  ", "x", "x" * 3000, "2026-13-40", "a,b@x.ru", "12ab", 5, -1, 5.5, 10**15, True, [], {}]


def test_the_booking_statuses_are_the_clinics() -> None:
    """The contract's list (and so the frontend's) is the domain's: each status is a name in rules."""
    domain = {
        rules.HELD,
        rules.AWAITING_PAYMENT,
        rules.PAID,
        rules.IN_PROGRESS,
        rules.COMPLETED,
        rules.EXPIRED,
        rules.CANCELLED,
        rules.REFUNDED,
        rules.NO_SHOW_PATIENT,
        rules.NO_SHOW_DOCTOR,
    }
    assert set(get_args(BookingStatus)) == domain


def _request_models() -> list[Any]:
    import app  # noqa: F401  (every route declared)
    from chalicelib.web.routing import ROUTES

    models = {m for spec in ROUTES for m in (spec.body, spec.query, spec.headers) if m is not None}
    return sorted(models, key=lambda m: m.__name__)


@pytest.mark.parametrize("model", _request_models(), ids=lambda m: m.__name__)
def test_every_wrong_field_gets_a_message_of_the_locale(model: Any) -> None:
    messages = set(_flatten(catalog("ru")["fields"]).values())
    for name, field in model.model_fields.items():
        for value in WRONG:
            try:
                validate(model, {field.alias or name: value})
            except ValidationFailed as exc:
                for message in exc.fields.values():
                    assert not message.startswith("fields."), (model.__name__, name, value, message)
                    assert message in messages or any(_matches(message, text) for text in messages), message


def test_a_body_that_is_not_an_object_is_named_so() -> None:
    model = _request_models()[0]
    with pytest.raises(ValidationFailed) as caught:
        validate(model, ["not", "an", "object"])
    assert caught.value.fields == {"": catalog("ru")["fields"]["not_object"]}


def _flatten(tree: dict[str, Any]) -> dict[str, str]:
    return {key: value for key, value in tree.items() if isinstance(value, str)}


def _matches(message: str, template: str) -> bool:
    """`message` is `template` with its {parameters} filled in."""
    head, _, rest = template.partition("{")
    tail = rest.partition("}")[2]
    return bool(rest) and message.startswith(head) and message.endswith(tail)
