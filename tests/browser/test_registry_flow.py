"""The registry through the real UI: a patient calls, the registrar finds the card, sees the patient's booking
and cancels it for them; then the registrar gives a doctor a day off under «Расписание»."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_accounts_flow import DEMO_PASSWORD, REGISTRAR, new_page, sign_in, watch_errors
from tests.browser.test_booking_flow import api, fresh_patient, sign_documents_through_api

LETTERS = "абвгдежзиклмнопр"


def test_registrar_finds_a_patient_by_surname_start_and_by_phone(stack, browser: Browser) -> None:
    """Typed as a registrar on the phone would: lower case, е for ё, only the start; then the number as said."""
    tag = uuid.uuid4()
    surname = "Сёмина" + "".join(LETTERS[int(c, 16)] for c in tag.hex[:5])
    full_name = f"{surname} Ольга Петровна"
    phone_digits = f"9{tag.int % 10**9:09d}"
    registrar = new_page(browser)
    errors = watch_errors(registrar)
    try:
        sign_in(registrar, stack.url, REGISTRAR, DEMO_PASSWORD)
        expect(registrar).to_have_url(re.compile(r"/cabinet$"))
        status, card = api(
            registrar,
            "POST",
            "/patients",
            {
                "full_name": full_name,
                "email": f"semina-{tag.hex[:8]}@example.org",
                "phone": f"8 ({phone_digits[:3]}) {phone_digits[3:6]}-{phone_digits[6:8]}-{phone_digits[8:]}",
                "birth_date": "1979-03-08",
            },
        )
        assert status == 201, card
        registrar.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Поиск пациента").click()
        box = registrar.get_by_label("Фамилия, телефон, номер карты или почта")

        box.fill(surname.lower().replace("ё", "е")[:8])
        registrar.get_by_role("button", name="Найти").click()
        results = registrar.locator("[data-test='result']")
        expect(results).to_have_count(1)
        expect(registrar.locator("[data-test='found-by']")).to_have_text("Поиск по фамилии")
        expect(results.locator("[data-test='result-surname']")).to_have_text(surname)
        expect(results).to_contain_text("Ольга Петровна")
        expect(results).to_contain_text("8 марта 1979")
        expect(results.locator("[data-test='result-card']")).to_have_text(card["card_number"])
        formatted = f"+7 {phone_digits[:3]} {phone_digits[3:6]}-{phone_digits[6:8]}-{phone_digits[8:]}"
        expect(results.locator("[data-test='result-phone']")).to_have_text(formatted)

        box.fill(f"+7 {phone_digits[:3]} {phone_digits[3:6]} {phone_digits[6:]}")
        registrar.get_by_role("button", name="Найти").click()
        expect(registrar.locator("[data-test='found-by']")).to_have_text("Поиск по телефону")
        expect(results).to_have_count(1)
        expect(results.locator("[data-test='result-surname']")).to_have_text(surname)
        results.get_by_role("button").click()
        expect(registrar.locator("[data-test='patient-card'] h2")).to_have_text(full_name)
    finally:
        registrar.context.close()
    assert errors == []


def test_registrar_sees_and_cancels_a_patients_booking_and_sets_a_day_off(stack, page: Page, browser: Browser) -> None:
    full_name = f"Звонарёва Ольга {uuid.uuid4().hex[:6]}"
    email, _ = fresh_patient(browser, page, stack.url, full_name)
    sign_documents_through_api(page)
    status, doctors = api(page, "GET", "/doctors")
    assert status == 200 and doctors, doctors
    doctor = next(d for d in doctors if d["full_name"] == "Орлова Елена Дмитриевна")
    status, slots = api(page, "GET", f"/doctors/{doctor['id']}/slots")
    assert status == 200 and slots, slots
    status, booking = api(page, "POST", "/bookings", {"slot_id": slots[-1]["id"]})
    assert status == 201, booking

    registrar = new_page(browser)
    errors = watch_errors(registrar)
    try:
        sign_in(registrar, stack.url, REGISTRAR, DEMO_PASSWORD)
        expect(registrar).to_have_url(re.compile(r"/cabinet$"))
        menu = registrar.get_by_role("navigation", name="Основное меню")
        menu.get_by_role("link", name="Поиск пациента").click()
        registrar.get_by_label("Фамилия, телефон, номер карты или почта").fill(email)
        registrar.get_by_role("button", name="Найти").click()
        expect(registrar.locator("[data-test='patient-card'] h2")).to_have_text(full_name)

        bookings = registrar.locator("[data-test='patient-bookings']")
        expect(bookings).to_contain_text("журнале доступа")
        item = bookings.locator("[data-test='booking']")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("Орлова Елена Дмитриевна")
        expect(item.locator("[data-test='booking-status']")).to_have_text("Время закреплено, ожидает оплаты")
        item.get_by_role("button", name="Отменить запись").click()
        expect(item.locator("[data-test='cancel-rule']")).to_contain_text("Запись не оплачена")
        item.get_by_role("button", name="Да, отменить запись").click()
        expect(bookings.locator("[data-test='cancel-done']")).to_have_text(
            "Запись отменена. Время освобождено для других пациентов."
        )
        expect(item.locator("[data-test='booking-status']")).to_have_text("Отменена")
        # The slot is free again for everyone.
        status, again = api(page, "GET", f"/doctors/{doctor['id']}/slots")
        assert slots[-1]["id"] in [s["id"] for s in again]

        # A day off six weeks ahead (outside the two weeks patients book most): saved, and said so.
        menu.get_by_role("link", name="Расписание").click()
        expect(registrar.get_by_role("heading", name="Расписание врачей")).to_be_visible()
        registrar.get_by_label("Врач").select_option(label=f"Орлова Елена Дмитриевна — {doctor['specialty']['name']}")
        expect(registrar.locator("[data-test='day-1'] legend")).to_have_text("Понедельник")
        day_off = (dt.date.today() + dt.timedelta(days=42)).isoformat()
        registrar.get_by_label("Дата").fill(day_off)
        registrar.get_by_role("button", name="Добавить выходной день").click()
        registrar.get_by_role("button", name="Сохранить расписание").click()
        expect(registrar.locator("[data-test='schedule-saved']")).to_contain_text("Расписание сохранено.")
        status, saved = api(page, "GET", f"/doctors/{doctor['id']}")
        assert status == 200 and day_off in saved["days_off"], saved
    finally:
        registrar.context.close()
    assert errors == []
