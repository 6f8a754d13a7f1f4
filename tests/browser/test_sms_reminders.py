"""SMS reminders in the browser, on a local stack whose booking timer reminds 6 minutes ahead: the patient turns them
on on the personal page (a landline is refused next to the field), pays a consultation 8 minutes ahead, the stack's
own timer (Step Functions → SQS → timer_events) sends the reminder, /dev/outbox shows the SMS beside the email, and
«Не присылать SMS» turns them off in one click."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from local.process import RunningStack, start_stack, stop_stack
from tests.browser.test_accounts_flow import watch_errors
from tests.browser.test_booking_flow import api, fresh_patient, sign_documents_through_api
from tests.browser.test_payment_flow import expect_paid, next_drop_in, pay_on_emulator

LEAD_MINUTES = 6


@pytest.fixture(scope="module")
def reminding_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The stack of `make run` with one-minute drop-in slots, reminding LEAD_MINUTES before a consultation."""
    folder = tmp_path_factory.mktemp("sms-stack")
    running = start_stack(
        folder,
        {"LOCAL_DROP_IN_MINUTES": "1", "REMINDER_LEAD_MINUTES": str(LEAD_MINUTES), "LOCAL_INBOX": str(folder / "in")},
    )
    yield running
    stop_stack(running)


def sms_on_outbox_page(page: Page, base_url: str, phone: str) -> list[str]:
    page.goto(base_url + "/dev/outbox")
    return [
        item.locator("[data-test='sms-text']").inner_text()
        for item in page.locator("[data-test='sms']").all()
        if item.locator("[data-test='sms-to']").inner_text() == phone
    ]


def test_patient_opts_in_gets_the_reminder_by_sms_and_unsubscribes_in_one_click(
    reminding_stack: RunningStack, page: Page, browser: Browser
) -> None:
    base = reminding_stack.url
    page.set_viewport_size({"width": 390, "height": 844})
    errors = watch_errors(page)
    email, _ = fresh_patient(browser, page, base, f"Смирнова Ольга {uuid.uuid4().hex[:6]}")
    sign_documents_through_api(page)

    page.goto(base + "/cabinet/personal")
    section = page.locator("[data-test='sms-reminders']")
    expect(section.get_by_role("heading", name="SMS-напоминания")).to_be_visible()
    expect(section.locator("[data-test='sms-state']")).to_contain_text("выключены")
    # The card's number is a landline (+7 812 …): not offered, and refused when typed.
    phone = section.get_by_label("Мобильный номер")
    expect(phone).to_have_value("")
    phone.fill("+7 812 123-45-67")
    section.get_by_role("button", name="Присылать SMS-напоминания").click()
    expect(section.locator("#sms-phone-error")).to_contain_text("городской номер")
    phone.fill("8 (912) 345-67-89")
    section.get_by_role("button", name="Присылать SMS-напоминания").click()
    expect(section.locator("[data-test='sms-notice']")).to_contain_text("+7 912 345-67-89")
    expect(section.locator("[data-test='sms-state']")).to_contain_text("приходят на номер +7 912 345-67-89")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone

    # A consultation far enough ahead for the timer to remind before it (the reminder is LEAD_MINUTES ahead).
    slot = next_drop_in(base, dt.timedelta(minutes=LEAD_MINUTES + 2))
    status, booking = api(page, "POST", "/bookings", {"slot_id": slot["id"]})
    assert status == 201, booking
    status, payment = api(page, "POST", f"/bookings/{booking['id']}/payment")
    assert status in (200, 201), payment
    page.goto(payment["confirmation_url"])
    pay_on_emulator(page)
    expect_paid(page, booking["id"], email)

    # The stack's own timer reminds at the start − LEAD_MINUTES (about two minutes from now).
    deadline = time.monotonic() + 300
    found = sms_on_outbox_page(page, base, "+79123456789")
    while not found and time.monotonic() < deadline:
        time.sleep(5)
        found = sms_on_outbox_page(page, base, "+79123456789")
    assert len(found) == 1, found
    [text] = found
    assert len(text) <= 70 and text.startswith("Консультация ") and "МСК" in text, text
    assert re.search(r"Вход: http://127\.0\.0\.1:\d+/c$", text), text
    assert "Терапия" not in text and "/room/" not in text and "Иванов" not in text, text
    # Beside it, on the same page, the reminder's email.
    expect(page.locator("article.message h3", has_text="Напоминание")).to_have_count(1)
    expect(page.locator("[data-test='sms-parts']").first).to_contain_text("1 (")

    # The SMS's short link opens the cabinet.
    page.goto(re.search(r"http://\S+/c$", text).group(0))
    expect(page).to_have_url(re.compile(r"/cabinet$"))

    # One click unsubscribes.
    page.goto(base + "/cabinet/personal")
    section.get_by_role("button", name="Не присылать SMS").click()
    expect(section.locator("[data-test='sms-notice']")).to_contain_text("выключены")
    expect(section.locator("[data-test='sms-state']")).to_contain_text("выключены")
    status, state = api(page, "GET", "/me/sms-reminders")
    assert status == 200 and state["enabled"] is False and state["phone"] is None, state
    assert errors == []
