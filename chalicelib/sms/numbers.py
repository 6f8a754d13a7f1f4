"""A Russian mobile number, as people write it: +7 912 345-67-89, 8 (912) 345 67 89, 89123456789, 912 345 67 89."""

from __future__ import annotations

import re

from chalicelib.errors import ValidationFailed
from chalicelib.i18n import t

_ALLOWED = re.compile(r"^\+?[0-9 ()\-.]{10,24}$")


def mobile_e164(text: str) -> str:
    """+79XXXXXXXXX, or ValidationFailed (on `phone`) saying what is wrong: not a Russian number, or not a mobile."""
    value = text.strip()
    digits = re.sub(r"\D", "", value)
    if len(digits) == 10 and not value.startswith("+"):
        national = digits  # without the country's 7 or the trunk 8
    elif len(digits) == 11 and (digits[0] == "7" or (digits[0] == "8" and not value.startswith("+"))):
        national = digits[1:]
    else:
        national = ""
    if not _ALLOWED.match(value) or not national:
        raise ValidationFailed("not a Russian phone number", fields={"phone": t("sms.phone_invalid")})
    if national[0] != "9":  # Russian mobile numbers are +7 9XX; +7 495 and the like are landlines
        raise ValidationFailed("not a mobile number", fields={"phone": t("sms.phone_landline")})
    return "+7" + national


def is_mobile(text: str | None) -> bool:
    try:
        mobile_e164(text or "")
    except ValidationFailed:
        return False
    return True
