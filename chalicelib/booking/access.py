"""Who may see or act on a booking, and on what hangs from it (its documents, its conclusion, its room).

Each rule is a named predicate of the person asking and the booking (or its room, which carries the same
patient and doctor). The callers answer "not found" when a rule says no, so a booking of someone else's
is never confirmed to exist. Entering a room by its link's token is the room's own capability (rooms.service).
"""

from __future__ import annotations

from typing import Protocol

from chalicelib import roles
from chalicelib.accounts.sessions import Principal


class HasParticipants(Protocol):
    """A booking, or its room: whose consultation it is."""

    patient_id: str
    doctor_id: str


def is_patient_of(person: Principal, booking: HasParticipants) -> bool:
    return booking.patient_id == person.user_id


def is_doctor_of(person: Principal, booking: HasParticipants) -> bool:
    """The booking's doctor, signed in as a doctor."""
    return booking.doctor_id == person.user_id and person.has(roles.DOCTOR)


def is_staff(person: Principal) -> bool:
    """The registry or an administrator."""
    return person.has(*roles.STAFF)


def may_see_booking(person: Principal, booking: HasParticipants) -> bool:
    """Its patient, its doctor, and staff."""
    return is_patient_of(person, booking) or is_doctor_of(person, booking) or is_staff(person)


def may_cancel(person: Principal, booking: HasParticipants) -> bool:
    """Its patient, and staff for the patient (the doctor does not cancel)."""
    return is_patient_of(person, booking) or is_staff(person)


def cancels_for_patient(person: Principal, booking: HasParticipants) -> bool:
    """Staff cancelling someone else's booking: a paid one is refunded in full, whatever the time."""
    return is_staff(person) and not is_patient_of(person, booking)


def may_pay(person: Principal, booking: HasParticipants) -> bool:
    return is_patient_of(person, booking)


def may_attach(person: Principal, booking: HasParticipants) -> bool:
    """Uploads from the cabinet: the booking's patient only."""
    return is_patient_of(person, booking)


def may_read_documents(person: Principal, booking: HasParticipants) -> bool:
    """The booking's documents (the patient's attachments): its patient and its doctor, not staff."""
    return is_patient_of(person, booking) or is_doctor_of(person, booking)


def may_write_conclusion(person: Principal, booking: HasParticipants) -> bool:
    return is_doctor_of(person, booking)


def may_read_conclusion(person: Principal, booking: HasParticipants) -> bool:
    """The signed conclusion: its patient and its doctor, not staff."""
    return is_patient_of(person, booking) or is_doctor_of(person, booking)


def may_enter_room(person: Principal, room: HasParticipants) -> bool:
    """By session (the link's token is the other way in): the consultation's doctor or its patient."""
    return is_doctor_of(person, room) or is_patient_of(person, room)


def may_resend_room_link(person: Principal, booking: HasParticipants) -> bool:
    """The room's link by email again: its patient, and staff for the patient (it goes to the patient's email)."""
    return is_patient_of(person, booking) or is_staff(person)
