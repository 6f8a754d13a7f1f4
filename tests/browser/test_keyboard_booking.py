"""The booking path with the keyboard alone (Tab, Enter, Space): a signed-in patient who has signed the documents
chooses a specialty, a doctor, a day and a time, confirms, and pays on YooKassa's page; no mouse click at all."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.test_accounts_flow import watch_errors
from tests.browser.test_booking_flow import api, fresh_patient, sign_documents_through_api

MAX_TABS = 120


def focused(target: Locator) -> bool:
    return bool(target.evaluate("el => el === document.activeElement"))


def tab_to(page: Page, target: Locator, what: str) -> None:
    """Tab forward until `target` has the focus, as a person does."""
    expect(target).to_be_visible()
    for _ in range(MAX_TABS):
        if focused(target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{what}: not reached with {MAX_TABS} presses of Tab")


def test_booking_and_paying_with_the_keyboard_only(stack, page: Page, browser: Browser) -> None:
    errors = watch_errors(page)
    fresh_patient(browser, page, stack.url, f"Клавишина Ольга {uuid.uuid4().hex[:6]}")
    sign_documents_through_api(page)

    # From here on only the keyboard: Tab to move, Enter or Space to press.
    page.goto(stack.url + "/booking")
    tab_to(page, page.get_by_role("link", name="Воспользоваться сервисом"), "Воспользоваться сервисом")
    page.keyboard.press("Enter")

    specialty = page.locator("[data-test='specialty']").filter(has_text="Кардиология")
    tab_to(page, specialty, "Кардиология")
    page.keyboard.press("Enter")

    choose = page.locator("[data-test='doctor']").filter(has_text="Орлова Елена Дмитриевна").get_by_role("button")
    tab_to(page, choose, "Выбрать врача")
    page.keyboard.press("Space")

    # The first day with free times is chosen already; a time on it.
    time_button = page.locator("[data-test='time']").last
    tab_to(page, time_button, "время")
    chosen = time_button.inner_text().strip()
    page.keyboard.press("Enter")

    confirm = page.get_by_role("button", name="Подтвердить запись")
    tab_to(page, confirm, "Подтвердить запись")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/booking\?step=summary&booking="), timeout=30000)
    booking_id = re.search(r"booking=([0-9a-f]+)", page.url).group(1)
    expect(page.locator("[data-test='held-title']")).to_contain_text("Время закреплено за вами до")
    expect(page.locator("[data-test='fact-when']")).to_contain_text(chosen)
    tab_to(page, page.get_by_role("button", name="Оплатить", exact=True), "Оплатить")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/checkout/"))
    tab_to(page, page.get_by_role("button", name=re.compile(r"^Оплатить")), "Оплатить на странице ЮKassa")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/bookings/{booking_id}/payment$"))
    expect(page.locator("[data-test='paid']").get_by_role("heading", name="Оплата прошла")).to_be_visible(timeout=30000)
    status, booking = api(page, "GET", f"/bookings/{booking_id}")
    assert status == 200 and booking["status"] == "paid", booking
    assert errors == []
