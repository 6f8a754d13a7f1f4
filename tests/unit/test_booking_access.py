"""Who may see or act on a booking, its documents, its conclusion and its room (booking/access.py): the whole
table of people × rules, so a change to one rule shows exactly whom it lets in or keeps out."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib import roles
from chalicelib.accounts.sessions import Principal
from chalicelib.booking import access
from chalicelib.storage.tables import Booking, Room


def person(user_id: str, *held: str) -> Principal:
    return Principal(
        user_id=user_id,
        email=f"{user_id}@example.org",
        full_name=user_id,
        roles=frozenset(held),
        must_change_password=False,
        session_hash="h",
        signed_documents={},
    )


BOOKING = Booking("b1", patient_id="patient", doctor_id="doctor", status="paid")
ROOM = Room("r1", booking_id="b1", patient_id="patient", doctor_id="doctor")

PEOPLE = {
    "its patient": person("patient", roles.PATIENT),
    "another patient": person("other", roles.PATIENT),
    "its doctor": person("doctor", roles.DOCTOR),
    "its doctor, no longer a doctor": person("doctor", roles.PATIENT),
    "another doctor": person("colleague", roles.DOCTOR),
    "registrar": person("registrar", roles.REGISTRAR),
    "admin": person("admin", roles.ADMIN),
    "its patient, also a registrar": person("patient", roles.PATIENT, roles.REGISTRAR),
}

# Who each rule lets in; everyone else in PEOPLE is kept out.
ALLOWED = {
    access.is_patient_of: {"its patient", "its patient, also a registrar"},
    access.is_doctor_of: {"its doctor"},
    access.may_see_booking: {"its patient", "its doctor", "registrar", "admin", "its patient, also a registrar"},
    access.may_cancel: {"its patient", "registrar", "admin", "its patient, also a registrar"},
    access.cancels_for_patient: {"registrar", "admin"},
    access.may_pay: {"its patient", "its patient, also a registrar"},
    access.may_attach: {"its patient", "its patient, also a registrar"},
    access.may_read_documents: {"its patient", "its doctor", "its patient, also a registrar"},
    access.may_write_conclusion: {"its doctor"},
    access.may_read_conclusion: {"its patient", "its doctor", "its patient, also a registrar"},
}


@pytest.mark.parametrize("rule", list(ALLOWED), ids=lambda rule: rule.__name__)
def test_each_rule_lets_in_exactly_whom_the_clinic_means(rule: Callable[[Principal, Booking], bool]) -> None:
    let_in = {name for name, who in PEOPLE.items() if rule(who, BOOKING)}
    assert let_in == ALLOWED[rule]


def test_staff_is_the_registry_and_administrators() -> None:
    assert {name for name, who in PEOPLE.items() if access.is_staff(who)} == {
        "registrar",
        "admin",
        "its patient, also a registrar",
    }


def test_by_session_a_room_lets_in_its_doctor_and_its_patient_only() -> None:
    let_in = {name for name, who in PEOPLE.items() if access.may_enter_room(who, ROOM)}
    assert let_in == {"its patient", "its doctor", "its patient, also a registrar"}
    assert access.is_doctor_of(PEOPLE["its doctor"], ROOM)
    assert not access.is_doctor_of(PEOPLE["its patient"], ROOM)


def test_the_rules_read_only_whose_booking_it_is() -> None:
    """Another booking of the same patient and doctor is theirs in the same way; a different patient's is not."""
    same_people = Booking("b2", patient_id="patient", doctor_id="doctor", status="held")
    other_patient = Booking("b3", patient_id="other", doctor_id="doctor", status="paid")
    patient = PEOPLE["its patient"]
    assert access.may_see_booking(patient, same_people) and access.may_attach(patient, same_people)
    assert not access.may_see_booking(patient, other_patient)
    assert access.may_read_documents(PEOPLE["its doctor"], other_patient)
    assert access.may_see_booking(PEOPLE["another patient"], other_patient)
