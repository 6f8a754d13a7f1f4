"""A first booking in at most 12 clicks: from the credentials email (the registry opened the card) to a paid
booking — the link in the email, sign-in, the forced password change (the temporary password is not asked again),
the booking wizard, the documents on one screen with one «Подписать» (the wizard then holds the chosen time by
itself), «Оплатить» straight to YooKassa's page (the local emulator), pay, and back on the site, paid.

Every click goes through `Path.click` (and the link in the email counts as one); typed fields are counted apart."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.test_accounts_flow import email_to, line_value, unique_email, watch_errors
from tests.browser.test_booking_flow import api, open_card_through_api

MAX_CLICKS = 12
DOCTOR = "Орлова Елена Дмитриевна"


class Path:
    """The person's actions, counted."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.clicks: list[str] = []
        self.typed: list[str] = []

    def click(self, target: Locator, what: str) -> None:
        target.click()
        self.clicks.append(what)

    def follow_link(self, url: str, what: str) -> None:
        """A link clicked outside the site (in the email): the browser opens it."""
        self.page.goto(url)
        self.clicks.append(what)

    def type(self, field: Locator, value: str, what: str) -> None:
        field.fill(value)
        self.typed.append(what)

    def report(self) -> str:
        clicks = "\n".join(f"  {n}. {what}" for n, what in enumerate(self.clicks, 1))
        return f"{len(self.clicks)} clicks:\n{clicks}\n{len(self.typed)} typed fields: {', '.join(self.typed)}"


def test_first_booking_from_the_credentials_email_takes_at_most_12_clicks(stack, page: Page, browser: Browser) -> None:
    errors = watch_errors(page)
    email = unique_email("first")
    open_card_through_api(browser, stack.url, f"Первова Нина {uuid.uuid4().hex[:6]}", email)
    mail = email_to(page, stack.url, email, "Доступ в личный кабинет")
    temporary = line_value(mail["text"], "Пароль: ")
    login_url = line_value(mail["text"], "Адрес входа: ")
    # The stack's PUBLIC_BASE_URL may name another port: the path is the email's, the host the stack's.
    path = Path(page)

    path.follow_link(stack.url + urlsplit(login_url).path, "«Адрес входа» в письме")
    path.type(page.get_by_label("Логин", exact=True), email, "логин")
    path.type(page.get_by_label("Пароль", exact=True), temporary, "временный пароль")
    path.click(page.get_by_role("button", name="Войти", exact=True), "Войти")

    # The forced change: the sign-in a moment ago proved the temporary password; it is not asked again.
    expect(page).to_have_url(re.compile(r"/change-password"), timeout=30000)
    expect(page.locator("[data-test='forced']")).to_be_visible()
    expect(page.get_by_label("Текущий пароль")).to_have_count(0)
    own = f"Ясное утро {uuid.uuid4().hex[:6]}"
    path.type(page.get_by_label("Новый пароль", exact=True), own, "новый пароль")
    path.type(page.get_by_label("Повторите новый пароль"), own, "новый пароль ещё раз")
    path.click(page.get_by_role("button", name="Сохранить пароль"), "Сохранить пароль")

    # Argon2id on a busy machine takes its time.
    expect(page).to_have_url(re.compile(r"/cabinet$"), timeout=30000)
    expect(page.locator("[data-test='cabinet-name']")).to_be_visible()
    path.click(
        page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Запись к врачу"),
        "Запись к врачу",
    )
    expect(page).to_have_url(re.compile(r"/booking$"))
    path.click(page.get_by_role("link", name="Воспользоваться сервисом"), "Воспользоваться сервисом")
    path.click(page.locator("[data-test='specialty']").filter(has_text="Кардиология"), "Кардиология")
    doctor = page.locator("[data-test='doctor']").filter(has_text=DOCTOR)
    path.click(doctor.get_by_role("button", name=re.compile("Выбрать")), DOCTOR)
    # The first day with free times is chosen already; its last time leaves the most room before the start.
    times = page.locator("[data-test='time']")
    expect(times.first).to_be_visible()
    chosen = times.last.inner_text().strip()
    path.click(times.last, f"время {chosen}")

    # Confirm: the documents are not signed yet; «Подтвердить запись» opens them all on one screen.
    expect(page.get_by_role("heading", name="Проверьте и подтвердите запись")).to_be_visible()
    path.click(page.get_by_role("button", name="Подтвердить запись"), "Подтвердить запись")
    expect(page.get_by_role("heading", name="Прочитайте и подпишите документы")).to_be_visible()
    for kind in ("contract", "consent", "informed_consent"):
        expect(page.locator(f"[data-test='reader-{kind}'] .doc-reader__pane")).to_contain_text("Первова Нина")
    expect(page.get_by_role("button", name="Подписать")).to_have_count(1)
    path.click(page.get_by_role("button", name="Подписать"), "Подписать (все документы)")

    # Back on the chosen time, held by itself: «до HH:MM», and nothing «подтверждено» before the payment.
    expect(page).to_have_url(re.compile(r"/booking\?step=summary&booking="), timeout=30000)
    booking_id = re.search(r"booking=([0-9a-f]+)", page.url).group(1)
    held = page.locator("[data-test='held-title']")
    expect(held).to_have_text(re.compile(r"^Время закреплено за вами до \d\d:\d\d \(МСК\)$"))
    status, booking = api(page, "GET", f"/bookings/{booking_id}")
    assert status == 200 and booking["status"] == "held", booking
    expect(page.locator("[data-test='fact-when']")).to_contain_text(chosen)
    expect(page.locator("main")).not_to_contain_text("Запись подтверждена")
    expect(page.locator("[data-test='payment-email']")).to_have_text(email)

    path.click(page.get_by_role("button", name="Оплатить", exact=True), "Оплатить (сайт)")
    page.wait_for_url(re.compile(r"/checkout/"))
    assert urlsplit(page.url).port != urlsplit(stack.url).port, page.url
    expect(page.locator(".sum")).to_have_text("3500.00 ₽")
    path.click(page.get_by_role("button", name=re.compile(r"^Оплатить")), "Оплатить (ЮKassa)")

    expect(page).to_have_url(re.compile(rf"/bookings/{booking_id}/payment$"))
    expect(page.locator("[data-test='paid']").get_by_role("heading", name="Оплата прошла")).to_be_visible(timeout=30000)
    status, booking = api(page, "GET", f"/bookings/{booking_id}")
    assert status == 200 and booking["status"] == "paid", booking

    print("\n" + path.report())
    assert len(path.clicks) <= MAX_CLICKS, path.report()
    assert len(path.typed) == 4, path.report()
    assert errors == []
