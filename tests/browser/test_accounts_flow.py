"""Accounts through the real UI: the registry opens a card, the patient signs in and replaces the temporary
password; «Забыли пароль?» sends a link that sets a new one. Emails are read from the local outbox."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect

REGISTRAR = "registrar@clinic.local"
DEMO_PASSWORD = "demo-password"


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.ru"


def new_page(browser: Browser) -> Page:
    """A separate browser context: its own cookies, as another person's browser."""
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow")
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def email_to(page: Page, base_url: str, address: str, subject_contains: str = "") -> dict[str, Any]:
    """The newest outbox email to `address` (the outbox lists newest first)."""
    deadline = time.monotonic() + 10
    while True:
        response = page.request.get(base_url + "/api/dev/outbox")
        assert response.ok, response.text()
        outbox = response.json()
        for mail in outbox:
            recipients = mail["to"] if isinstance(mail["to"], list) else [mail["to"]]
            if address in recipients and subject_contains in mail["subject"]:
                return mail
        if time.monotonic() > deadline:
            seen = [(mail["to"], mail["subject"]) for mail in outbox]
            raise AssertionError(f"no email to {address} with {subject_contains!r} in the outbox: {seen}")
        time.sleep(0.2)


def line_value(text: str, prefix: str) -> str:
    match = re.search(rf"^{re.escape(prefix)}(\S+)\s*$", text, re.MULTILINE)
    assert match, f"no line starting with {prefix!r} in:\n{text}"
    return match.group(1)


def sign_in(page: Page, base_url: str, login: str, password: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Логин", exact=True).fill(login)
    page.get_by_label("Пароль", exact=True).fill(password)
    page.get_by_role("button", name="Войти", exact=True).click()


def session_cookie(page: Page) -> dict[str, Any] | None:
    for cookie in page.context.cookies():
        if cookie["name"] == "session":
            return dict(cookie)
    return None


def open_card_as_registrar(page: Page, base_url: str, full_name: str, email: str) -> None:
    sign_in(page, base_url, REGISTRAR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/cabinet$"))
    # The session cookie is `Secure`; Chromium keeps it on http://127.0.0.1 (a potentially trustworthy origin).
    cookie = session_cookie(page)
    assert cookie is not None, "Chromium did not keep the session cookie"
    assert cookie["secure"] and cookie["httpOnly"]
    expect(page.get_by_role("heading", name="Регистратура")).to_be_visible()

    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Новая карта").click()
    expect(page).to_have_url(re.compile(r"/registry/patients/new$"))
    page.get_by_label("ФИО").fill(full_name)
    page.get_by_label("Дата рождения").fill("1984-06-15")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Телефон").fill("+7 812 123-45-67")
    page.get_by_role("button", name="Открыть медицинскую карту").click()

    opened = page.locator("[data-test='card-opened']")
    expect(opened).to_be_visible()
    expect(opened.locator("[data-test='card-number']")).to_have_text(re.compile(r"^\d{4}-\d{6}$"))
    expect(opened).to_contain_text(f"Логин и временный пароль отправлены на {email}.")


def test_registry_opens_card_and_patient_replaces_temporary_password(stack, page: Page, browser: Browser) -> None:
    errors = watch_errors(page)
    email = unique_email("patient")
    full_name = "Белова Ирина Николаевна"

    open_card_as_registrar(page, stack.url, full_name, email)

    mail = email_to(page, stack.url, email, "Доступ в личный кабинет")
    assert line_value(mail["text"], "Логин: ") == email
    temporary = line_value(mail["text"], "Пароль: ")

    patient = new_page(browser)
    patient_errors = watch_errors(patient)
    try:
        sign_in(patient, stack.url, email, temporary)
        expect(patient).to_have_url(re.compile(r"/change-password$"))
        expect(patient.locator("[data-test='forced']")).to_contain_text("временному паролю из письма")

        # Every other signed-in page leads back here until the password is replaced (and then on to it).
        patient.goto(stack.url + "/cabinet")
        expect(patient).to_have_url(re.compile(r"/change-password\?next=(/|%2F)cabinet$"))
        # ... and signing out stays possible.
        expect(patient.get_by_role("button", name="Выйти")).to_be_visible()

        new_password = f"Тихая река {uuid.uuid4().hex[:6]}"
        # The sign-in a moment ago proved the temporary password: it is not asked again.
        expect(patient.get_by_label("Текущий пароль")).to_have_count(0)
        patient.get_by_label("Новый пароль", exact=True).fill(new_password)
        patient.get_by_label("Повторите новый пароль").fill(new_password + "x")
        patient.get_by_role("button", name="Сохранить пароль").click()
        expect(patient.locator("#new-password-repeat-error")).to_contain_text("Пароли не совпадают")

        patient.get_by_label("Повторите новый пароль").fill(new_password)
        patient.get_by_role("button", name="Сохранить пароль").click()
        expect(patient).to_have_url(re.compile(r"/cabinet$"))
        expect(patient.locator("[data-test='cabinet-name']")).to_have_text(full_name)
        expect(patient.get_by_role("heading", name="Личные данные")).to_be_visible()
        expect(patient.get_by_role("status")).to_have_text("Новый пароль сохранён.")

        # The new password is the one that works from now on.
        patient.get_by_role("button", name="Выйти").click()
        expect(patient).to_have_url(stack.url + "/")
        sign_in(patient, stack.url, email, temporary)
        expect(patient.get_by_role("alert")).to_contain_text("Неверный логин или пароль")
        sign_in(patient, stack.url, email, new_password)
        expect(patient).to_have_url(re.compile(r"/cabinet$"))
        expect(patient.locator("[data-test='cabinet-name']")).to_have_text(full_name)
    finally:
        patient.context.close()
    assert errors == [] and patient_errors == []


def test_forgotten_password_is_reset_by_the_emailed_link(stack, page: Page, browser: Browser) -> None:
    errors = watch_errors(page)
    email = unique_email("forgot")
    full_name = "Орлов Павел Андреевич"

    registrar = new_page(browser)
    try:
        open_card_as_registrar(registrar, stack.url, full_name, email)
    finally:
        registrar.context.close()

    page.goto(stack.url + "/login")
    page.get_by_role("link", name="Забыли пароль?").click()
    expect(page).to_have_url(re.compile(r"/forgot-password$"))
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_role("button", name="Отправить ссылку").click()
    sent = page.locator("[data-test='reset-sent']")
    expect(sent).to_contain_text(f"Если в личном кабинете есть учётная запись с адресом {email}")
    expect(sent).to_contain_text("60 минут")

    mail = email_to(page, stack.url, email, "Смена пароля")
    link = re.search(r"https?://\S+/reset-password#token=\S+", mail["text"])
    assert link, mail["text"]
    parts = urlsplit(link.group(0))
    assert parts.path == "/reset-password"
    # The stack's PUBLIC_BASE_URL is its own address; only path and fragment are used so the test does not depend on it.
    page.goto(f"{stack.url}{parts.path}#{parts.fragment}")

    new_password = f"Зелёный чай {uuid.uuid4().hex[:6]}"
    page.get_by_label("Новый пароль", exact=True).fill(new_password)
    page.get_by_label("Повторите новый пароль").fill(new_password)
    page.get_by_role("button", name="Сохранить пароль").click()
    done = page.locator("[data-test='reset-done']")
    expect(done).to_contain_text("Новый пароль сохранён")
    done.get_by_role("link", name="Войти в личный кабинет").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("Логин", exact=True).fill(email)
    page.get_by_label("Пароль", exact=True).fill(new_password)
    page.get_by_role("button", name="Войти", exact=True).click()
    # A password set through the link is the person's own: no forced change.
    expect(page).to_have_url(re.compile(r"/cabinet$"))
    expect(page.locator("[data-test='cabinet-name']")).to_have_text(full_name)

    # The link works once, and says so as soon as it is opened again, before any password is typed.
    page.goto(f"{stack.url}{parts.path}#{parts.fragment}")
    dead = page.locator("[data-test='reset-dead']")
    expect(dead).to_contain_text("Ссылка уже использована")
    expect(dead.get_by_role("link", name="Запросить новую ссылку")).to_have_attribute("href", "/forgot-password")
    expect(page.get_by_label("Новый пароль", exact=True)).to_have_count(0)
    assert errors == []


def test_request_from_the_site_becomes_a_card(stack, page: Page, browser: Browser) -> None:
    errors = watch_errors(page)
    email = unique_email("request")
    full_name = f"Заявкина Вера {uuid.uuid4().hex[:6]}"

    visitor = new_page(browser)
    try:
        visitor.goto(stack.url + "/")
        visitor.get_by_role("link", name="«Заявка на медицинскую карту»").click()
        expect(visitor).to_have_url(re.compile(r"/request$"))
        visitor.get_by_label("ФИО").fill(full_name)
        visitor.get_by_label("Электронная почта").fill(email)
        visitor.get_by_label("Телефон").fill("+7 921 555-12-34")
        visitor.get_by_label("Комментарий").fill("Хотела бы к кардиологу")
        visitor.get_by_role("button", name="Отправить заявку").click()
        expect(visitor.locator("[data-test='request-sent']")).to_contain_text(email)
    finally:
        visitor.context.close()

    sign_in(page, stack.url, REGISTRAR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/cabinet$"))
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Заявки").click()
    item = page.locator("[data-test='request']").filter(has_text=full_name)
    expect(item).to_contain_text("Хотела бы к кардиологу")
    expect(item).to_contain_text(re.compile(r"\d{1,2} [а-я]+ \d{4}"))
    item.get_by_role("button", name="Открыть медицинскую карту").click()

    expect(page).to_have_url(re.compile(r"/registry/patients/new\?request_id="))
    expect(page.get_by_label("ФИО")).to_have_value(full_name)
    expect(page.get_by_label("Электронная почта")).to_have_value(email)
    page.get_by_label("Дата рождения").fill("1990-02-03")
    page.get_by_role("button", name="Открыть медицинскую карту").click()
    expect(page.locator("[data-test='card-opened']")).to_contain_text(f"отправлены на {email}")

    page.get_by_role("link", name="К заявкам").click()
    expect(page.locator("[data-test='request']").filter(has_text=full_name)).to_have_count(0)
    page.get_by_role("tab", name="Обработанные").click()
    expect(page.locator("[data-test='request']").filter(has_text=full_name)).to_have_count(1)
    assert errors == []
