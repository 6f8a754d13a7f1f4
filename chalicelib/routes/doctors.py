"""Specialties, doctors, schedules and free slots."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import doctors as catalog
from chalicelib import roles
from chalicelib.booking import listing
from chalicelib.web.access import ANYONE, SIGNED_IN, role
from chalicelib.web.routing import Call, Endpoints, ListOf, Model

bp = Blueprint(__name__)
api = Endpoints(bp, "doctors")
STAFF = role(roles.REGISTRAR, roles.ADMIN)


@api.get("/specialties", access=ANYONE, summary="Specialties", response=ListOf("doctors.Specialty"))
def specialties(call: Call) -> list[dict[str, Any]]:
    return catalog.list_specialties()


@api.post(
    "/specialties",
    access=STAFF,
    summary="Add a specialty",
    ok=201,
    body=Model("doctors.SpecialtyForm"),
    response=Model("doctors.Specialty"),
    errors=("not_signed_in", "forbidden"),
)
def add_specialty(call: Call) -> dict[str, Any]:
    return catalog.create_specialty(call.body["name"], call.body["description"])


@api.put(
    "/specialties/{specialty_id}",
    access=STAFF,
    summary="Rename or describe a specialty",
    body=Model("doctors.SpecialtyForm"),
    response=Model("doctors.Specialty"),
    errors=("not_signed_in", "forbidden", "not_found"),
)
def edit_specialty(call: Call, specialty_id: str) -> dict[str, Any]:
    return catalog.update_specialty(specialty_id, call.body["name"], call.body["description"])


@api.get(
    "/doctors",
    access=ANYONE,
    summary="Doctors, with price and duration",
    query=Model("doctors.DoctorsQuery"),
    response=ListOf("doctors.Doctor"),
)
def doctors(call: Call) -> list[dict[str, Any]]:
    return catalog.list_doctors(call.query.get("specialty"))


@api.get(
    "/doctors/{doctor_id}",
    access=ANYONE,
    summary="One doctor's card",
    response=Model("doctors.Doctor"),
    errors=("not_found",),
)
def doctor(call: Call, doctor_id: str) -> dict[str, Any]:
    return catalog.doctor_view(catalog.get_doctor(doctor_id), with_schedule=True)


@api.post(
    "/doctors",
    access=STAFF,
    summary="Add a doctor (a new person gets credentials by email)",
    ok=201,
    body=Model("doctors.NewDoctor"),
    response=Model("doctors.Doctor"),
    errors=("not_signed_in", "forbidden", "conflict"),
)
def add_doctor(call: Call) -> dict[str, Any]:
    return catalog.add_doctor(call.principal, **call.body)


@api.put(
    "/doctors/{doctor_id}",
    access=STAFF,
    summary="Change a doctor's card (price, duration, specialty, bio)",
    body=Model("doctors.DoctorChange"),
    response=Model("doctors.Doctor"),
    errors=("not_signed_in", "forbidden", "not_found"),
)
def edit_doctor(call: Call, doctor_id: str) -> dict[str, Any]:
    return catalog.update_doctor(call.principal, doctor_id, **call.body)


@api.put(
    "/doctors/{doctor_id}/schedule",
    access=SIGNED_IN,
    summary="Weekly working hours and days off (that doctor or the registry); slots follow",
    body=Model("doctors.ScheduleForm"),
    response=Model("doctors.ScheduledDoctor"),
    errors=("not_signed_in", "forbidden", "not_found"),
)
def set_schedule(call: Call, doctor_id: str) -> dict[str, Any]:
    return catalog.set_schedule(call.principal, doctor_id, call.body["weekly_hours"], call.body.get("days_off"))


@api.get(
    "/doctors/{doctor_id}/slots",
    access=ANYONE,
    summary="Free slots between two dates (clinic's calendar)",
    query=Model("doctors.SlotsQuery"),
    response=ListOf("doctors.Slot"),
)
def slots(call: Call, doctor_id: str) -> list[dict[str, Any]]:
    return listing.free_slots(doctor_id, call.query.get("from"), call.query.get("to"))
