"""Specialties, doctors, schedules and free slots."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.web.access import ANYONE, SIGNED_IN, role
from chalicelib.web.routing import Call, Endpoints
from chalicelib.web.schema import Field, Int, Obj, Str

bp = Blueprint(__name__)
api = Endpoints(bp, "catalog")
STAFF = role(roles.REGISTRAR, roles.ADMIN)

SPECIALTY = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"}},
}
DOCTOR = {
    "type": "object",
    "required": ["id", "full_name", "specialty", "price", "duration_minutes"],
    "properties": {
        "id": {"type": "string"},
        "full_name": {"type": "string"},
        "bio": {"type": "string"},
        "specialty": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
        },
        "price": {"type": "integer", "description": "roubles"},
        "currency": {"type": "string"},
        "duration_minutes": {"type": "integer"},
        "weekly_hours": {
            "type": "object",
            "description": "ISO weekday → [start, end] intervals (HH:MM, clinic's zone)",
            "properties": {
                str(day): {
                    "type": "array",
                    "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string"}},
                }
                for day in range(1, 8)
            },
        },
        "days_off": {"type": "array", "items": {"type": "string", "format": "date"}},
    },
}
SCHEDULED_DOCTOR = {
    **DOCTOR,
    "required": [*DOCTOR["required"], "slots"],
    "properties": {
        **DOCTOR["properties"],
        "slots": {
            "type": "object",
            "description": "What happened to the slots: the near days now, the rest later",
            "required": ["created", "removed", "kept_taken", "days_done", "rest"],
            "properties": {
                "created": {"type": "integer"},
                "removed": {"type": "integer"},
                "kept_taken": {"type": "integer", "description": "held or booked, kept as they were"},
                "days_done": {"type": "integer"},
                "rest": {"type": "string", "enum": ["none", "queued", "daily"]},
            },
        },
    },
}
SLOT = {
    "type": "object",
    "required": ["id", "starts_at", "ends_at"],
    "properties": {
        "id": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
    },
}
SPECIALTY_BODY = Obj(fields={"name": Str(min_len=2, max_len=100), "description": Str(required=False, max_len=1000)})
PRICE = Int(minimum=1, maximum=1_000_000)
DURATION = Int(minimum=5, maximum=240)


class Anything(Field):
    """A JSON value checked by the domain (weekly hours, days off)."""

    def _schema(self) -> dict[str, Any]:
        return {}


@api.get("/specialties", access=ANYONE, summary="Specialties", response={"type": "array", "items": SPECIALTY})
def specialties(call: Call) -> list[dict[str, Any]]:
    from chalicelib import doctors as catalog

    return catalog.list_specialties()


@api.post(
    "/specialties",
    access=STAFF,
    summary="Add a specialty",
    ok=201,
    body=SPECIALTY_BODY,
    response=SPECIALTY,
    errors=("not_signed_in", "forbidden"),
)
def add_specialty(call: Call) -> dict[str, Any]:
    from chalicelib import doctors as catalog

    return catalog.create_specialty(call.body["name"], call.body["description"])


@api.put(
    "/specialties/{specialty_id}",
    access=STAFF,
    summary="Rename or describe a specialty",
    body=SPECIALTY_BODY,
    response=SPECIALTY,
    errors=("not_signed_in", "forbidden", "not_found"),
)
def edit_specialty(call: Call, specialty_id: str) -> dict[str, Any]:
    from chalicelib import doctors as catalog

    return catalog.update_specialty(specialty_id, call.body["name"], call.body["description"])


@api.get(
    "/doctors",
    access=ANYONE,
    summary="Doctors, with price and duration",
    query=Obj(fields={"specialty": Str(required=False, max_len=80)}),
    response={"type": "array", "items": DOCTOR},
)
def doctors(call: Call) -> list[dict[str, Any]]:
    from chalicelib import doctors as catalog

    return catalog.list_doctors(call.query.get("specialty"))


@api.get("/doctors/{doctor_id}", access=ANYONE, summary="One doctor's card", response=DOCTOR, errors=("not_found",))
def doctor(call: Call, doctor_id: str) -> dict[str, Any]:
    from chalicelib import doctors as catalog

    return catalog.doctor_view(catalog.get_doctor(doctor_id), with_schedule=True)


@api.post(
    "/doctors",
    access=STAFF,
    summary="Add a doctor (a new person gets credentials by email)",
    ok=201,
    body=Obj(
        fields={
            "email": Str(format="email", max_len=254),
            "full_name": Str(min_len=3, max_len=200),
            "specialty_id": Str(max_len=80),
            "bio": Str(required=False, max_len=2000),
            "price": PRICE,
            "duration_minutes": DURATION,
        }
    ),
    response=DOCTOR,
    errors=("not_signed_in", "forbidden", "conflict"),
)
def add_doctor(call: Call) -> dict[str, Any]:
    from chalicelib import doctors as catalog

    return catalog.add_doctor(call.principal, **call.body)


@api.put(
    "/doctors/{doctor_id}",
    access=STAFF,
    summary="Change a doctor's card (price, duration, specialty, bio)",
    body=Obj(
        fields={
            "full_name": Str(required=False, min_len=3, max_len=200),
            "specialty_id": Str(required=False, max_len=80),
            "bio": Str(required=False, max_len=2000),
            "price": Int(required=False, minimum=1, maximum=1_000_000),
            "duration_minutes": Int(required=False, minimum=5, maximum=240),
        }
    ),
    response=DOCTOR,
    errors=("not_signed_in", "forbidden", "not_found"),
)
def edit_doctor(call: Call, doctor_id: str) -> dict[str, Any]:
    from chalicelib import doctors as catalog

    return catalog.update_doctor(call.principal, doctor_id, **call.body)


@api.put(
    "/doctors/{doctor_id}/schedule",
    access=SIGNED_IN,
    summary="Weekly working hours and days off (that doctor or the registry); slots follow",
    body=Obj(
        fields={
            "weekly_hours": Anything(description='{"1": [["09:00","13:00"]], ...} ISO weekdays'),
            "days_off": Anything(required=False, description="[YYYY-MM-DD, ...]"),
        }
    ),
    response=SCHEDULED_DOCTOR,
    errors=("not_signed_in", "forbidden", "not_found"),
)
def set_schedule(call: Call, doctor_id: str) -> dict[str, Any]:
    from chalicelib import doctors as catalog

    return catalog.set_schedule(call.principal, doctor_id, call.body["weekly_hours"], call.body.get("days_off"))


@api.get(
    "/doctors/{doctor_id}/slots",
    access=ANYONE,
    summary="Free slots between two dates (clinic's calendar)",
    query=Obj(fields={"from": Str(required=False, format="date"), "to": Str(required=False, format="date")}),
    response={"type": "array", "items": SLOT},
)
def slots(call: Call, doctor_id: str) -> list[dict[str, Any]]:
    from chalicelib.booking import listing

    return listing.free_slots(doctor_id, call.query.get("from"), call.query.get("to"))
