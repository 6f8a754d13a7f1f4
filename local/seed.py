"""Demo data for the local stage only."""

from __future__ import annotations

import contextlib
import uuid

from chalicelib import roles

DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("admin@clinic.local", "admin"),
    ("registrar@clinic.local", "registrar"),
    ("doctor@clinic.local", "doctor (therapist; drop-in slots every 5 minutes)"),
    ("patient@clinic.local", "patient"),
    ("cardiologist@clinic.local", "doctor"),
    ("neurologist@clinic.local", "doctor"),
    ("endocrinologist@clinic.local", "doctor"),
)
_PEOPLE = {
    "admin@clinic.local": ("Администратор Центра", {roles.ADMIN, roles.REGISTRAR}),
    "registrar@clinic.local": ("Смирнова Ольга Петровна", {roles.REGISTRAR}),
    "doctor@clinic.local": ("Иванов Сергей Николаевич", {roles.DOCTOR}),
    "cardiologist@clinic.local": ("Орлова Елена Дмитриевна", {roles.DOCTOR}),
    "neurologist@clinic.local": ("Киселёв Андрей Павлович", {roles.DOCTOR}),
    "endocrinologist@clinic.local": ("Белова Наталья Сергеевна", {roles.DOCTOR}),
    "patient@clinic.local": ("Петрова Анна Викторовна", {roles.PATIENT}),
}


SPECIALTIES = (
    ("therapy", "Терапия", "Первичная консультация, подбор обследований и лечения."),
    ("cardiology", "Кардиология", "Заболевания сердца и сосудов, артериальное давление."),
    ("neurology", "Неврология", "Головная боль, головокружение, нарушения сна и чувствительности."),
    ("endocrinology", "Эндокринология", "Щитовидная железа, сахарный диабет, обмен веществ."),
)
WEEKDAYS_9_TO_18 = {str(d): [["09:00", "13:00"], ["14:00", "18:00"]] for d in range(1, 6)}
DOCTORS = (
    # email, specialty, price (roubles), minutes, bio, drop-in minutes
    ("doctor@clinic.local", "therapy", 2500, 30, "Врач-терапевт высшей категории, стаж 18 лет.", 5),
    (
        "cardiologist@clinic.local",
        "cardiology",
        3500,
        30,
        "Врач-кардиолог, кандидат медицинских наук, стаж 15 лет.",
        None,
    ),
    ("neurologist@clinic.local", "neurology", 3200, 40, "Врач-невролог, стаж 12 лет.", None),
    ("endocrinologist@clinic.local", "endocrinology", 3000, 30, "Врач-эндокринолог, стаж 10 лет.", None),
)


def seed_demo(password: str) -> None:
    """Create the demo accounts (once) with `password`, already changed from temporary."""
    from chalicelib.accounts import passwords
    from chalicelib.accounts.cards import card_number
    from chalicelib.clock import now
    from chalicelib.errors import EmailTaken
    from chalicelib.storage import accounts as store
    from chalicelib.storage.tables import User

    password_hash = passwords.hash_password(password)
    for email, full_name_and_roles in _PEOPLE.items():
        full_name, held = full_name_and_roles
        user = User(
            uuid.uuid4().hex,
            email=email,
            full_name=full_name,
            roles=held,
            password_hash=password_hash,
            must_change_password=False,
            created_at=now(),
            phone="+7 812 000-00-00",
        )
        if roles.PATIENT in held:
            user.birth_date = "1985-04-12"
            user.card_number = card_number(store.next_card_number(), now().year)
        with contextlib.suppress(EmailTaken):
            store.create_user(user)
    from chalicelib.storage.patient_search import backfill

    backfill()  # what `infrastructure/migrate.py` does after a deploy: cards without search keys get them
    _seed_catalog()


def _seed_catalog() -> None:
    """Specialties and doctors with weekly hours (and drop-in slots for the demo doctor)."""
    from chalicelib.scheduling.materialize import materialize
    from chalicelib.storage import accounts as account_store
    from chalicelib.storage import doctors as store
    from chalicelib.storage.tables import Doctor, Specialty

    names = {}
    for specialty_id, name, description in SPECIALTIES:
        names[specialty_id] = name
        if store.get_specialty(specialty_id) is None:
            store.put_specialty(Specialty("specialties", specialty_id, name=name, description=description), new=True)
    import os

    for email, specialty_id, price, minutes, bio, drop_in in DOCTORS:
        if drop_in:
            # Tests shorten the wait for a call with LOCAL_DROP_IN_MINUTES=1.
            drop_in = int(os.environ.get("LOCAL_DROP_IN_MINUTES") or drop_in)
        user = account_store.user_by_login(email)
        if user is None or store.get_doctor(user.user_id) is not None:
            continue
        doctor = Doctor(
            user.user_id,
            full_name=user.full_name,
            specialty_id=specialty_id,
            specialty_name=names[specialty_id],
            bio=bio,
            price=price,
            duration_minutes=minutes,
            active=True,
            weekly_hours=WEEKDAYS_9_TO_18,
            drop_in_minutes=drop_in,
        )
        store.create_doctor(doctor)
        materialize(doctor, unserved=True)
        _give_signing_key(user.user_id)


def _give_signing_key(doctor_id: str) -> None:
    from chalicelib.accounts.sessions import Principal
    from chalicelib.conclusions.keys import create_signing_key

    seeder = Principal("seed", "seed@clinic.local", "seed", frozenset({"admin"}), False, "", {})
    create_signing_key(seeder, doctor_id)
