"""«Перенести»: the patient moves a paid booking from its page to another time of the same doctor and sees the new
time; the registry moves it again from the patient's card, within the 24 hours the patient may not."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_accessibility import PHONE, assert_accessible, new_context
from tests.browser.test_accounts_flow import DEMO_PASSWORD, REGISTRAR, new_page, sign_in, watch_errors
from tests.browser.test_booking_flow import api, fresh_patient, sign_documents_through_api
from tests.browser.test_payment_flow import expect_on_emulator, pay_on_emulator

CLINIC_ZONE = ZoneInfo("Europe/Moscow")


def therapist_slots(page: Page, days_from: int, days_to: int) -> list[dict]:
    status, doctors = api(page, "GET", "/doctors")
    assert status == 200, doctors
    doctor = next(d for d in doctors if d["specialty"]["id"] == "therapy")
    today = dt.datetime.now(CLINIC_ZONE).date()
    status, slots = api(
        page,
        "GET",
        f"/doctors/{doctor['id']}/slots?from={today + dt.timedelta(days=days_from)}"
        f"&to={today + dt.timedelta(days=days_to)}",
    )
    assert status == 200 and len(slots) >= 2, slots
    return list(slots)


def paid_booking(page: Page, base_url: str, slot: dict) -> str:
    """Held and paid through the site's own API and YooKassa's page (the wizard's clicks: test_payment_flow)."""
    status, booking = api(page, "POST", "/bookings", {"slot_id": slot["id"]})
    assert status == 201, booking
    status, payment = api(page, "POST", f"/bookings/{booking['id']}/payment")
    assert status == 200, payment
    page.goto(payment["confirmation_url"])
    expect_on_emulator(page, base_url)
    pay_on_emulator(page)
    page.wait_for_url(re.compile(rf"/bookings/{booking['id']}/payment$"))
    deadline = time.monotonic() + 30
    while api(page, "GET", f"/bookings/{booking['id']}")[1]["status"] != "paid":
        assert time.monotonic() < deadline, "not paid"
        time.sleep(0.3)
    return str(booking["id"])


def in_clinic(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso).astimezone(CLINIC_ZONE)


def test_patient_moves_a_paid_booking_from_its_page(stack, browser: Browser) -> None:
    context = new_context(browser)  # axe is injected into the page: the site's CSP is bypassed for it
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        patient_moves_then_the_registry(stack, page, browser)
    finally:
        context.close()


def patient_moves_then_the_registry(stack, page: Page, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    errors = watch_errors(page)
    email, _ = fresh_patient(browser, page, stack.url, f"Миронова Ольга {uuid.uuid4().hex[:6]}")
    sign_documents_through_api(page)
    first, target = therapist_slots(page, 3, 4)[0], therapist_slots(page, 5, 6)[-1]
    booking_id = paid_booking(page, stack.url, first)
    _, before = api(page, "GET", f"/bookings/{booking_id}")

    page.goto(f"{stack.url}/bookings/{booking_id}")
    expect(page.locator("[data-test='fact-status']")).to_have_text("Оплачена")
    page.locator("[data-test='reschedule-open']").click()
    local = in_clinic(target["starts_at"])
    day = page.locator(f"[data-test='reschedule-day'][data-day='{local:%Y-%m-%d}']")
    day.click()
    expect(day).to_have_attribute("aria-pressed", "true")
    page.locator("[data-test='reschedule-time']").filter(
        has=page.locator(".time__clinic", has_text=re.compile(rf"^{local:%H:%M}$"))
    ).click()
    what = page.locator("[data-test='reschedule-what']")
    expect(what).to_contain_text("Запись перенесётся на")
    expect(what).to_contain_text(f"{local.day} ")
    expect(what).to_contain_text(f"{local:%H:%M}")
    expect(what).to_contain_text("оплата сохранится; ссылка на консультацию останется прежней")
    assert_accessible(page, "booking page, «Перенести» with a time chosen (desktop)")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "booking page, «Перенести» with a time chosen (phone)")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator("[data-test='reschedule-confirm']").click()

    expect(page.locator("[data-test='reschedule-done']")).to_contain_text("Запись перенесена на")
    expect(page.locator("[data-test='reschedule-done']")).to_contain_text(email)
    expect(page.locator("[data-test='fact-when']")).to_contain_text(f"{local:%H:%M}")
    page.reload()
    expect(page.locator("[data-test='fact-when']")).to_contain_text(f"{local:%H:%M}")
    _, after = api(page, "GET", f"/bookings/{booking_id}")
    assert after["starts_at"] == target["starts_at"] and after["status"] == "paid"
    assert after["room_id"] == before["room_id"] and after["payment_id"] == before["payment_id"]

    deadline = time.monotonic() + 10
    while True:
        mails = [
            m
            for m in page.request.get(stack.url + "/api/dev/outbox").json()
            if email in (m["to"] if isinstance(m["to"], list) else [m["to"]])
            and m["subject"].startswith("Консультация перенесена")
        ]
        if mails or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(mails) == 1 and [a["filename"] for a in mails[0]["attachments"]] == ["consultation.ics"], mails
    assert errors == []

    # The registry moves it once more, from the patient's bookings in «Поиск пациента».
    again = next(
        s for s in therapist_slots(page, 3, 6) if s["starts_at"] not in (target["starts_at"], first["starts_at"])
    )
    registrar = new_page(browser)
    registrar_errors = watch_errors(registrar)
    try:
        sign_in(registrar, stack.url, REGISTRAR, DEMO_PASSWORD)
        registrar.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Поиск пациента").click()
        registrar.get_by_label("Фамилия, телефон, номер карты или почта").fill(email)
        registrar.get_by_role("button", name="Найти").click()
        item = registrar.locator("[data-test='patient-bookings'] [data-test='booking']")
        expect(item).to_have_count(1)
        expect(item.locator("[data-test='reschedule-until']")).to_have_count(0)  # the patient's deadline is not staff's
        item.locator("[data-test='reschedule-open']").click()
        local = in_clinic(again["starts_at"])
        day = item.locator(f"[data-test='reschedule-day'][data-day='{local:%Y-%m-%d}']")
        day.click()
        expect(day).to_have_attribute("aria-pressed", "true")
        item.locator("[data-test='reschedule-time']").filter(
            has=registrar.locator(".time__clinic", has_text=re.compile(rf"^{local:%H:%M}$"))
        ).click()
        item.locator("[data-test='reschedule-confirm']").click()
        expect(registrar.locator("[data-test='cancel-done']")).to_contain_text("Пациенту отправлено письмо")
        expect(item).to_contain_text(f"{local:%H:%M}")
        assert registrar_errors == []
    finally:
        registrar.close()
    _, after = api(page, "GET", f"/bookings/{booking_id}")
    assert after["starts_at"] == again["starts_at"] and after["room_id"] == before["room_id"]
