"""Paying through YooKassa (the local emulator on its own port): the held time's «Оплатить» → the payment page →
back to /bookings/{id}/payment, which waits for the server's confirmation; the paid email arrives once."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, expect

from local.client import HttpApi
from tests.browser.test_accounts_flow import watch_errors
from tests.browser.test_booking_flow import api, fresh_patient, sign_documents_through_api

DEMO_DOCTOR = "Иванов Сергей Николаевич"
CLINIC_ZONE = ZoneInfo("Europe/Moscow")


def next_drop_in(url: str, ahead: dt.timedelta) -> dict:
    """The demo therapist's first free time at least `ahead` from now."""
    doctor = next(d for d in HttpApi(url).get("/doctors").json if d["specialty"]["id"] == "therapy")
    soon = dt.datetime.now(dt.UTC) + ahead
    return next(
        s
        for s in HttpApi(url).get(f"/doctors/{doctor['id']}/slots").json
        if dt.datetime.fromisoformat(s["starts_at"]) >= soon
    )


def choose_time(page: Page, slot: dict) -> None:
    """The slot's day first (near the clinic's midnight it is tomorrow, not the day the wizard opens on), then its
    time."""
    local = dt.datetime.fromisoformat(slot["starts_at"]).astimezone(CLINIC_ZONE)
    day = page.locator(f"[data-test='day'][data-day='{local:%Y-%m-%d}']")
    expect(day).to_have_count(1)
    if day.get_attribute("aria-pressed") != "true":
        day.click()
        expect(day).to_have_attribute("aria-pressed", "true")
    page.locator("[data-test='time']").filter(
        has=page.locator(".time__clinic", has_text=re.compile(rf"^{local:%H:%M}$"))
    ).click()


def book_drop_in_slot(page: Page, base_url: str) -> str:
    """Through the wizard: one of the demo doctor's drop-in slots (starting within minutes). Returns the booking id."""
    page.goto(base_url + "/booking")
    page.get_by_role("link", name="Воспользоваться сервисом").click()
    page.locator("[data-test='specialty']").filter(has_text="Терапия").click()
    doctor = page.locator("[data-test='doctor']").filter(has_text=DEMO_DOCTOR)
    expect(doctor).to_contain_text("2 500 ₽")
    doctor.get_by_role("button", name=re.compile("Выбрать")).click()
    # The wizard opens on the earliest day with free times: today, whose earliest are the drop-in slots. A slot
    # some minutes on (the test stack makes them 1 minute long) is still ahead when the payment is confirmed.
    opened = page.locator("[data-test='day'][aria-pressed='true']")
    expect(opened).to_have_count(1)
    choose_time(page, next_drop_in(base_url, dt.timedelta(minutes=6)))
    expect(page.get_by_role("heading", name="Проверьте и подтвердите запись")).to_be_visible()
    expect(page.locator("[data-test='fact-doctor']")).to_contain_text(DEMO_DOCTOR)
    page.get_by_role("button", name="Подтвердить запись").click()
    expect(page).to_have_url(re.compile(r"/booking\?step=summary&booking="))
    return re.search(r"booking=([0-9a-f]+)", page.url).group(1)


def go_to_yookassa(page: Page, base_url: str, email: str) -> None:
    """The held time's «Оплатить» goes straight to YooKassa's page."""
    expect(page.locator("[data-test='payment-email']")).to_have_text(email)
    expect(page.locator("[data-test='payment-price']")).to_have_text("2 500 ₽")
    page.get_by_role("button", name="Оплатить", exact=True).click()
    expect_on_emulator(page, base_url)


def expect_on_emulator(page: Page, base_url: str) -> None:
    page.wait_for_url(re.compile(r"/checkout/"))
    assert urlsplit(page.url).port != urlsplit(base_url).port, page.url
    expect(page.get_by_role("heading", name="Оплата заказа")).to_be_visible()
    expect(page.locator(".sum")).to_have_text("2500.00 ₽")


def pay_on_emulator(page: Page, decline: bool = False) -> None:
    if decline:
        option = page.locator("#card option", has_text="банк отклонит платёж")
        page.locator("#card").select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name=re.compile(r"^Оплатить")).click()


def paid_emails(page: Page, base_url: str, email: str) -> list[dict[str, Any]]:
    response = page.request.get(base_url + "/api/dev/outbox")
    assert response.ok, response.text()
    return [
        mail
        for mail in response.json()
        if email in (mail["to"] if isinstance(mail["to"], list) else [mail["to"]])
        and mail["subject"].startswith("Консультация оплачена")
    ]


def repeat_notification(page: Page, base_url: str, booking_id: str) -> None:
    """YooKassa delivers a notification again until it gets a 200: the same payment.succeeded once more (from the
    emulator's address, as the stack's YooKassa does). Once it is answered, whatever it would send has been sent."""
    status, booking = api(page, "GET", f"/bookings/{booking_id}")
    assert status == 200 and booking["payment_id"], booking
    body = {
        "type": "notification",
        "event": "payment.succeeded",
        "object": {"id": booking["payment_id"], "status": "succeeded", "paid": True},
    }
    answer = page.request.post(base_url + "/api/payments/yookassa/webhook", data=body)
    # "already_paid" while the call is ahead, "already_applied" once its room has opened (a drop-in slot is soon).
    assert answer.status == 200 and answer.json()["result"] in ("already_paid", "already_applied"), answer.text()


def assert_one_paid_email(page: Page, base_url: str, email: str, booking_id: str) -> None:
    deadline = time.monotonic() + 10
    found = paid_emails(page, base_url, email)
    while not found and time.monotonic() < deadline:
        time.sleep(0.2)
        found = paid_emails(page, base_url, email)
    # A repeated notification must not send it again.
    repeat_notification(page, base_url, booking_id)
    found = paid_emails(page, base_url, email)
    assert len(found) == 1, [mail["subject"] for mail in found]
    mail = found[0]
    assert re.search(r"https?://\S+/room/\S+", mail["text"]), mail["text"]
    assert [attachment["filename"] for attachment in mail["attachments"]] == ["consultation.ics"], mail["attachments"]


def expect_paid(page: Page, booking_id: str, email: str) -> None:
    expect(page).to_have_url(re.compile(rf"/bookings/{booking_id}/payment$"))
    paid = page.locator("[data-test='paid']")
    expect(paid.get_by_role("heading", name="Оплата прошла")).to_be_visible(timeout=30000)
    expect(paid).to_contain_text(f"Ссылка для входа в видеоконсультацию отправлена на {email}")
    expect(page.locator("[data-test='fact-doctor']")).to_contain_text(DEMO_DOCTOR)
    expect(page.locator("[data-test='fact-when']")).to_contain_text("(МСК)")
    expect(page.locator("[data-test='fact-status']")).to_have_text("Оплачена")


def test_patient_pays_for_a_drop_in_consultation(stack, page: Page, browser: Browser) -> None:
    errors = watch_errors(page)
    email, _ = fresh_patient(browser, page, stack.url, f"Соколова Вера {uuid.uuid4().hex[:6]}")
    sign_documents_through_api(page)
    booking_id = book_drop_in_slot(page, stack.url)
    go_to_yookassa(page, stack.url, email)

    pay_on_emulator(page)
    expect_paid(page, booking_id, email)

    assert_one_paid_email(page, stack.url, email, booking_id)
    status, booking = api(page, "GET", f"/bookings/{booking_id}")
    assert status == 200, booking
    assert booking["status"] == "paid" and booking["payment_status"] == "succeeded"
    assert booking["room_id"]
    assert errors == []


def test_declined_card_then_a_second_attempt_pays(stack, page: Page, browser: Browser) -> None:
    errors = watch_errors(page)
    email, _ = fresh_patient(browser, page, stack.url, f"Морозов Илья {uuid.uuid4().hex[:6]}")
    sign_documents_through_api(page)
    booking_id = book_drop_in_slot(page, stack.url)
    go_to_yookassa(page, stack.url, email)

    pay_on_emulator(page, decline=True)
    expect(page).to_have_url(re.compile(rf"/bookings/{booking_id}/payment$"))
    failed = page.locator("[data-test='failed']")
    expect(failed.get_by_role("heading", name="Оплата не прошла")).to_be_visible(timeout=30000)
    expect(failed).to_contain_text("деньги не списаны")
    status, booking = api(page, "GET", f"/bookings/{booking_id}")
    assert booking["status"] == "awaiting_payment" and booking["payment_status"] == "canceled", booking

    failed.get_by_role("button", name="Попробовать ещё раз").click()
    expect_on_emulator(page, stack.url)
    pay_on_emulator(page)
    expect_paid(page, booking_id, email)

    assert_one_paid_email(page, stack.url, email, booking_id)
    status, booking = api(page, "GET", f"/bookings/{booking_id}")
    assert status == 200 and booking["status"] == "paid", booking
    assert errors == []
