"""SMS reminders: the patient turns them on (with a mobile number) or off, on the personal page."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.sms import consent
from chalicelib.web.access import role
from chalicelib.web.routing import Call, Endpoints, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "sms")
PATIENT = role(roles.PATIENT)


@api.get(
    "/me/sms-reminders",
    access=PATIENT,
    summary="Whether my reminders also come by SMS, and to which number",
    response=Model("sms.SmsReminders"),
    errors=("not_signed_in", "forbidden"),
)
def sms_reminders(call: Call) -> dict[str, Any]:
    return consent.preferences(call.principal)


@api.put(
    "/me/sms-reminders",
    access=PATIENT,
    summary="Turn SMS reminders on (a Russian mobile number: the one given or the card's) or off (one click)",
    body=Model("sms.SmsRemindersChange"),
    response=Model("sms.SmsReminders"),
    errors=("not_signed_in", "forbidden"),
)
def change_sms_reminders(call: Call) -> dict[str, Any]:
    return consent.change(call.principal, call.body["enabled"], call.body.get("phone"))
