"""The booking wizard through the real UI, as the seed describes it: a new patient signs in, picks a specialty, a
doctor, a day and a time, confirms, signs the contract and the consent on one screen with one «Подписать», and the
wizard holds the time by itself: «Время закреплено за вами до HH:MM», the email and the price, «Оплатить»."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_accounts_flow import (
    DEMO_PASSWORD,
    REGISTRAR,
    email_to,
    line_value,
    new_page,
    sign_in,
    unique_email,
    watch_errors,
)


def api(page: Page, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """A request from inside the page, with the browser's own session cookie (as the site itself does)."""
    result = page.evaluate(
        """async ([method, path, body]) => {
            const init = {method, credentials: 'same-origin', headers: {Accept: 'application/json'}}
            if (body !== null) { init.body = JSON.stringify(body); init.headers['Content-Type'] = 'application/json' }
            const response = await fetch('/api' + path, init)
            const text = await response.text()
            return {status: response.status, body: text ? JSON.parse(text) : null}
        }""",
        [method, path, body],
    )
    return int(result["status"]), result["body"]


def open_card_through_api(browser: Browser, base_url: str, full_name: str, email: str) -> None:
    """The registrar opens the medical card through the API (the registry's UI is covered by test_accounts_flow)."""
    registrar = new_page(browser)
    try:
        registrar.goto(base_url + "/")
        status, body = api(registrar, "POST", "/auth/login", {"login": REGISTRAR, "password": DEMO_PASSWORD})
        assert status == 200, body
        status, body = api(
            registrar,
            "POST",
            "/patients",
            {"full_name": full_name, "email": email, "phone": "+7 812 123-45-67", "birth_date": "1984-06-15"},
        )
        assert status == 201, body
        assert body["credentials_sent"] is True, body
    finally:
        registrar.context.close()


def fresh_patient(browser: Browser, page: Page, base_url: str, full_name: str) -> tuple[str, str]:
    """A new patient, signed in on `page` with their own password. Returns (email, password)."""
    email = unique_email("booking")
    open_card_through_api(browser, base_url, full_name, email)
    mail = email_to(page, base_url, email, "Доступ в личный кабинет")
    temporary = line_value(mail["text"], "Пароль: ")
    sign_in(page, base_url, email, temporary)
    expect(page).to_have_url(re.compile(r"/change-password$"))
    password = f"Светлый день {uuid.uuid4().hex[:6]}"
    page.get_by_label("Новый пароль", exact=True).fill(password)
    page.get_by_label("Повторите новый пароль").fill(password)
    page.get_by_role("button", name="Сохранить пароль").click()
    expect(page).to_have_url(re.compile(r"/cabinet$"), timeout=30000)
    return email, password


def sign_documents_through_api(page: Page) -> None:
    """The documents required before booking, signed as they stand in one request (the UI: test_booking_flow)."""
    status, documents = api(page, "GET", "/legal-documents")
    assert status == 200, documents
    signing = [
        {"kind": d["kind"], "version": d["version"], "sha256": d["sha256"]}
        for d in documents
        if d["required_before_booking"]
    ]
    status, body = api(page, "POST", "/legal-documents/signatures", {"documents": signing})
    assert status == 201, body


def test_new_patient_signs_documents_and_books_through_the_wizard(stack, page: Page, browser: Browser) -> None:
    errors = watch_errors(page)
    full_name = f"Белоусова Дарья {uuid.uuid4().hex[:6]}"
    email, _ = fresh_patient(browser, page, stack.url, full_name)
    expect(page.locator("[data-test='cabinet-unsigned']")).to_contain_text("подпишите")

    # «Запись к врачу» → «Воспользоваться сервисом».
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Запись к врачу").click()
    expect(page).to_have_url(re.compile(r"/booking$"))
    page.get_by_role("link", name="Воспользоваться сервисом").click()

    # Specialty, doctor.
    expect(page.get_by_role("heading", name="Выберите специальность врача")).to_be_visible()
    page.locator("[data-test='specialty']").filter(has_text="Кардиология").click()
    doctor = page.locator("[data-test='doctor']").filter(has_text="Орлова Елена Дмитриевна")
    expect(doctor).to_contain_text("3 500 ₽")
    expect(doctor).to_contain_text("консультация 30 мин")
    doctor.get_by_role("button", name=re.compile("Выбрать")).click()

    # Day and time from the doctor's schedule: 14 days, weekends disabled; a day after today (surely in the future).
    expect(page.get_by_role("heading", name="Выберите дату и время")).to_be_visible()
    days = page.locator("[data-test='day']")
    expect(days).to_have_count(14)
    expect(page.locator("[data-test='day'][disabled]")).not_to_have_count(0)
    page.locator("[data-test='day']:not([disabled])").nth(1).click()
    times = page.locator("[data-test='time']")
    expect(times.first).to_be_visible()
    chosen_time = times.first.inner_text().strip()
    assert re.fullmatch(r"\d{2}:\d{2}", chosen_time), chosen_time
    times.first.click()

    # Confirm: the documents are not signed yet; «Подтвердить запись» opens them, all on one screen.
    expect(page.get_by_role("heading", name="Проверьте и подтвердите запись")).to_be_visible()
    expect(page.locator("[data-test='fact-when']")).to_contain_text(f"{chosen_time} (МСК)")
    expect(page.locator("[data-test='consent-needed']")).to_contain_text("прочитать и подписать документы")
    page.get_by_role("button", name="Подтвердить запись").click()
    expect(page).to_have_url(re.compile(r"/booking\?step=documents&"))
    expect(page.get_by_role("heading", name="Прочитайте и подпишите документы")).to_be_visible()
    expect(page.locator("[data-test='documents-slot']")).to_contain_text(f"{chosen_time} (МСК)")
    for kind in ("contract", "consent", "informed_consent"):
        expect(page.locator(f"[data-test='reader-{kind}'] .doc-reader__pane")).to_contain_text("Белоусова Дарья")
    # The clinic's news: optional, unticked, left so.
    expect(page.locator("[data-test='optional-marketing-box']")).not_to_be_checked()
    expect(page.locator("[data-test='sign-statement']")).to_contain_text("сразу все документы выше")
    page.get_by_role("button", name="Подписать").click()

    # Signed, the wizard goes back to the chosen time and holds it by itself.
    expect(page).to_have_url(re.compile(r"/booking\?step=summary&booking="), timeout=30000)
    booking_id = re.search(r"booking=([0-9a-f]+)", page.url).group(1)
    expect(page.locator("[data-test='held-title']")).to_have_text(
        re.compile(r"^Время закреплено за вами до \d\d:\d\d \(МСК\)$")
    )
    expect(page.locator("main")).not_to_contain_text("Запись подтверждена")
    expect(page.locator("[data-test='fact-doctor']")).to_contain_text("Орлова Елена Дмитриевна (Кардиология)")
    expect(page.locator("[data-test='fact-when']")).to_contain_text(f"{chosen_time} (МСК)")
    expect(page.locator("[data-test='payment-email']")).to_have_text(email)
    expect(page.locator("[data-test='payment-price']")).to_have_text("3 500 ₽")
    expect(page.locator("[data-test='payment-rule']")).to_contain_text("24 часа")
    expect(page.locator("[data-test='hold-left']")).to_have_text(re.compile(r"^осталось 1[45] мин \d\d с$"))
    expect(page.get_by_role("button", name="Оплатить", exact=True)).to_be_enabled()
    copies = page.request.get(stack.url + "/api/consents")
    assert copies.ok and sorted(c["kind"] for c in copies.json()) == ["consent", "contract", "informed_consent"], (
        copies.text()
    )

    # The slot is held for this patient: the API and «Мои записи» say so.
    status, booking = api(page, "GET", f"/bookings/{booking_id}")
    assert status == 200, booking
    assert booking["status"] == "held"
    assert booking["email"] == email and booking["price"] == 3500
    assert booking["doctor"]["full_name"] == "Орлова Елена Дмитриевна"
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Мои записи").click()
    item = page.locator("[data-test='booking']")
    expect(item).to_have_count(1)
    expect(item.locator("[data-test='booking-status']")).to_have_text("Время закреплено, ожидает оплаты")
    assert errors == []
