"""Specialties and doctors' cards (with their schedules)."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import Conflict, NotFound
from chalicelib.storage.access import get_or_none, save_if, update_if
from chalicelib.storage.errors import store_errors
from chalicelib.storage.tables import Doctor, Specialty


def specialties() -> list[Specialty]:
    with store_errors():
        return sorted(Specialty.query("specialties"), key=lambda s: s.name)


def get_specialty(specialty_id: str) -> Specialty | None:
    return get_or_none(Specialty, "specialties", specialty_id, consistent=False)


def new_specialty(specialty_id: str, name: str, description: str | None) -> Specialty:
    """A specialty not stored yet (`put_specialty` stores it)."""
    return Specialty("specialties", specialty_id, name=name, description=description)


def put_specialty(item: Specialty, new: bool) -> None:
    condition = Specialty.specialty_id.does_not_exist() if new else Specialty.specialty_id.exists()
    save_if(item, condition, refused=Conflict("specialty exists") if new else NotFound("specialty"))


def doctors(specialty_id: str | None = None) -> list[Doctor]:
    with store_errors():
        found = Doctor.by_specialty.query(specialty_id) if specialty_id else Doctor.listing.query("doctors")
        return [d for d in found if d.active]


def get_doctor(doctor_id: str) -> Doctor | None:
    return get_or_none(Doctor, doctor_id)


def new_doctor(doctor_id: str, **values: Any) -> Doctor:
    """A doctor's card not stored yet (`create_doctor` stores it)."""
    return Doctor(doctor_id, **values)


def create_doctor(doctor: Doctor) -> None:
    save_if(doctor, Doctor.doctor_id.does_not_exist(), refused=Conflict("doctor exists"))


def update_doctor(doctor: Doctor, **values: object) -> None:
    update_if(
        doctor,
        [
            getattr(Doctor, name).set(value) if value is not None else getattr(Doctor, name).remove()
            for name, value in values.items()
        ],
        Doctor.doctor_id.exists(),
        refused=NotFound("doctor"),
    )
