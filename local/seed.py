"""Demo data for the local stage only."""
from __future__ import annotations

import uuid

from chalicelib import roles

DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("admin@clinic.local", "admin"),
    ("registrar@clinic.local", "registrar"),
    ("doctor@clinic.local", "doctor"),
    ("patient@clinic.local", "patient"),
)
_PEOPLE = {
    "admin@clinic.local": ("Администратор Центра", {roles.ADMIN, roles.REGISTRAR}),
    "registrar@clinic.local": ("Смирнова Ольга Петровна", {roles.REGISTRAR}),
    "doctor@clinic.local": ("Иванов Сергей Николаевич", {roles.DOCTOR}),
    "patient@clinic.local": ("Петрова Анна Викторовна", {roles.PATIENT}),
}


def seed_demo(password: str) -> None:
    """Create the demo accounts (once) with `password`, already changed from temporary."""
    from chalicelib.accounts import passwords
    from chalicelib.accounts.cards import card_number
    from chalicelib.clock import now
    from chalicelib.errors import EmailTaken
    from chalicelib.storage import accounts as store
    from chalicelib.storage.tables import User

    password_hash = passwords.hash_password(password)
    for email, _ in DEMO_ACCOUNTS:
        full_name, held = _PEOPLE[email]
        user = User(uuid.uuid4().hex, email=email, full_name=full_name, roles=held, password_hash=password_hash,
                    must_change_password=False, created_at=now(), phone="+7 812 000-00-00")
        if roles.PATIENT in held:
            user.birth_date = "1985-04-12"
            user.card_number = card_number(store.next_card_number(), now().year)
        try:
            store.create_user(user)
        except EmailTaken:
            pass
