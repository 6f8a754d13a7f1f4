"""Specialties and doctors' cards (with their schedules)."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.errors import Conflict, NotFound
from chalicelib.storage.errors import condition_failed, store_errors
from chalicelib.storage.tables import Doctor, Specialty


def specialties() -> list[Specialty]:
    with store_errors():
        return sorted(Specialty.query("specialties"), key=lambda s: s.name)


def get_specialty(specialty_id: str) -> Specialty | None:
    with store_errors():
        try:
            return Specialty.get("specialties", specialty_id)
        except DoesNotExist:
            return None


def put_specialty(item: Specialty, new: bool) -> None:
    condition = Specialty.specialty_id.does_not_exist() if new else Specialty.specialty_id.exists()
    try:
        with store_errors():
            item.save(condition=condition)
    except PutError as exc:
        if condition_failed(exc):
            raise (Conflict("specialty exists") if new else NotFound("specialty")) from None
        raise


def doctors(specialty_id: str | None = None) -> list[Doctor]:
    with store_errors():
        found = Doctor.by_specialty.query(specialty_id) if specialty_id else Doctor.listing.query("doctors")
        return [d for d in found if d.active]


def get_doctor(doctor_id: str) -> Doctor | None:
    with store_errors():
        try:
            return Doctor.get(doctor_id, consistent_read=True)
        except DoesNotExist:
            return None


def create_doctor(doctor: Doctor) -> None:
    try:
        with store_errors():
            doctor.save(condition=Doctor.doctor_id.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            raise Conflict("doctor exists") from None
        raise


def update_doctor(doctor: Doctor, **values: object) -> None:
    try:
        with store_errors():
            doctor.update(
                actions=[
                    getattr(Doctor, name).set(value) if value is not None else getattr(Doctor, name).remove()
                    for name, value in values.items()
                ],
                condition=Doctor.doctor_id.exists(),
            )
    except UpdateError as exc:
        if condition_failed(exc):
            raise NotFound("doctor") from None
        raise
