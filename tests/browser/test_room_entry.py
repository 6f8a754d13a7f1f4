"""Into and out of the call (#17), in the browser against the local stack.

1. The patient signs in, opens «Мои записи» once the lobby is open and clicks «Войти в консультацию»: the lobby
   opens without any link's token. A link that no longer works says what to do and leads to sign-in.
2. The doctor's «Завершить» asks «Завершить консультацию?» (the page's own dialog) and ends it: the patient in the
   call is told, and the emailed link then says the consultation is over — and never asks for the camera
   (getUserMedia is counted from the first script of the page)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from local.client import signed_in
from tests.api.test_rooms_over_http import paid_drop_in
from tests.browser.test_accounts_flow import DEMO_PASSWORD, REGISTRAR, watch_errors
from tests.browser.test_call import DOCTOR, DOCTOR_LINE, wait_for_call

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# Counts the page's requests for the camera and microphone (before any of its own scripts run).
COUNT_CAMERA = """(() => {
  window.__getUserMedia = 0
  const devices = navigator.mediaDevices
  if (devices && devices.getUserMedia) {
    const original = devices.getUserMedia.bind(devices)
    devices.getUserMedia = (...args) => { window.__getUserMedia += 1; return original(...args) }
  }
})()"""


def new_page(browser: Browser, viewport: dict[str, int]) -> Page:
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=viewport)
    context.add_init_script(COUNT_CAMERA)
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def camera_requests(page: Page) -> int:
    return int(page.evaluate("window.__getUserMedia"))


def sign_in(page: Page, base_url: str, login: str, password: str, next_path: str) -> None:
    page.goto(f"{base_url}/login?next={next_path}")
    page.get_by_label("Логин", exact=True).fill(login)
    page.get_by_label("Пароль", exact=True).fill(password)
    page.get_by_role("button", name="Войти", exact=True).click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


@pytest.mark.timeout(300)
def test_the_patient_enters_from_the_cabinet_and_after_the_doctor_ends_the_link_says_it_is_over(
    stack, browser: Browser
) -> None:
    visit = paid_drop_in(stack.url, signed_in(stack.url, REGISTRAR, DEMO_PASSWORD))
    patient_api = visit["patient"]

    # 1. «Мои записи» → «Войти в консультацию»: the lobby, by the session alone.
    patient = new_page(browser, DESKTOP)
    errors = watch_errors(patient)
    sign_in(patient, stack.url, patient_api.email, patient_api.password, "/bookings")
    item = patient.locator("[data-test='booking']").filter(has=patient.locator("[data-test='room-enter']"))
    expect(item).to_have_count(1)
    expect(item.locator("[data-test='room-enter']")).to_have_text("Войти в консультацию")
    item.locator("[data-test='room-enter']").click()
    patient.wait_for_url(re.compile(rf"/room/{visit['room_id']}$"))
    assert "token" not in patient.url
    expect(patient.locator("[data-test='room']")).to_have_attribute("data-phase", "lobby")
    expect(patient.locator("[data-test='room-doctor']")).to_have_text(DOCTOR_LINE)
    expect(patient.locator("[data-test='check-camera']")).to_contain_text("Камера работает")
    assert camera_requests(patient) >= 1  # the lobby's device check: the counter sees the camera asked for

    # 2. The doctor comes, the call starts; his «Завершить» asks, and ends the consultation.
    doctor = new_page(browser, DESKTOP)
    answer = doctor.request.post(f"{stack.url}/api/auth/login", data={"login": DOCTOR, "password": DEMO_PASSWORD})
    assert answer.ok, answer.text()
    doctor.goto(f"{stack.url}/room/{visit['room_id']}")
    wait_for_call(patient, doctor)
    doctor.locator("[data-test='hang-up']").click()
    dialog = doctor.locator("[data-test='room-end-dialog']")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Завершить консультацию?")
    dialog.locator("[data-test='room-end']").click()
    ended = doctor.locator("[data-test='room-ended']")
    expect(ended).to_contain_text("Вы завершили консультацию")
    expect(ended.locator("[data-test='room-reopen']")).to_be_visible()  # ended by mistake: he may go back

    # The patient in the call is told at once; the camera is let go.
    expect(patient.locator("[data-test='room']")).not_to_have_attribute("data-phase", "open")
    expect(patient.locator("[data-test='room']")).to_contain_text("Консультация завершена")
    assert errors == []

    # The emailed link, opened afterwards on a phone: over, where the conclusion will be, and no camera at all.
    later = new_page(browser, PHONE)
    later.goto(f"{stack.url}/room/{visit['room_id']}#token={visit['token']}")
    over = later.locator("[data-test='room-ended']")
    expect(over.get_by_role("heading")).to_have_text("Консультация завершена")
    expect(over.locator("[data-test='room-conclusion']")).to_contain_text("Врач подготовит заключение")
    expect(over.locator("[data-test='room-to-booking']")).to_have_attribute(
        "href", f"/bookings/{visit['booking']['id']}"
    )
    expect(later.locator("[data-test='check-camera']")).to_have_count(0)
    expect(later.get_by_text("Ожидаем подключения врача")).to_have_count(0)
    assert camera_requests(later) == 0
    for page in (patient, doctor, later):
        page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_dead_room_link_says_what_to_do_and_leads_to_sign_in(stack, browser: Browser, viewport) -> None:
    page = new_page(browser, viewport)
    page.goto(f"{stack.url}/room/no-such-room#token=not-a-token")
    error = page.locator("[data-test='room-error']")
    expect(error.get_by_role("heading")).to_have_text("Ссылка не действует")
    expect(error).to_contain_text("«Мои записи»")
    expect(error).to_contain_text("«Войти в консультацию»")
    assert camera_requests(page) == 0
    sign_in_link = error.locator("[data-test='room-sign-in']")
    box = sign_in_link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    sign_in_link.click()
    page.wait_for_url(re.compile(r"/login\?next=(/|%2F)bookings$"))
    expect(page.get_by_label("Логин", exact=True)).to_be_visible()
    page.context.close()
