"""The doctor's waiting queue (#19) in the browser against the local stack: the doctor's «Мои консультации» is open;
the patient opens the emailed link in the lobby window; within seconds the doctor's page lists the patient «В зале
ожидания с 14:21» with the device check in words, says so in a live region, beeps (WebAudio, counted by an init
script) and shows a browser notification (permission granted; `window.Notification` recorded). A patient whose
camera cannot be had is listed with «Камера: нет».

The day page takes the doctor into a room whose lobby is open, once per room (room/autoEnter.ts); here the doctor
came back to the list from his rooms, as the page remembers in localStorage, so he stays on it. In the room's own
waiting room the doctor sees the same facts for that room («Кто ждёт начала»)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from local.client import signed_in
from tests.api.test_rooms_over_http import paid_drop_in
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_accounts_flow import DEMO_PASSWORD, REGISTRAR, watch_errors
from tests.browser.test_call import DOCTOR

MOSCOW = ZoneInfo("Europe/Moscow")
PHONE = {"width": 390, "height": 844}

# Before the page's scripts: count the beeps' oscillators, record notifications, and remember the room as entered.
DOCTOR_PAGE = """((rooms) => {
  window.__beeps = 0
  window.__notifications = []
  const Context = window.AudioContext || window.webkitAudioContext
  if (Context) {
    const create = Context.prototype.createOscillator
    Context.prototype.createOscillator = function () { window.__beeps += 1; return create.call(this) }
  }
  const Original = window.Notification
  if (Original) {
    const Recorded = function (title, options) {
      window.__notifications.push({ title: title, body: options && options.body, tag: options && options.tag })
      return new Original(title, options)
    }
    Recorded.requestPermission = (...args) => Original.requestPermission(...args)
    Object.defineProperty(Recorded, 'permission', { get: () => Original.permission })
    window.Notification = Recorded
  }
  window.localStorage.setItem('telemed.roomsEntered', JSON.stringify(rooms))
})(%s)"""

# A device whose camera cannot be had: every request naming video fails as a missing camera does.
NO_CAMERA = """(() => {
  const devices = navigator.mediaDevices
  const original = devices.getUserMedia.bind(devices)
  devices.getUserMedia = (constraints) => constraints && constraints.video
    ? Promise.reject(new DOMException('Requested device not found', 'NotFoundError'))
    : original(constraints)
})()"""


def context_for(browser: Browser, viewport: dict[str, int] | None = None) -> BrowserContext:
    return browser.new_context(
        locale="ru-RU",
        timezone_id="Europe/Moscow",
        viewport=viewport or {"width": 1280, "height": 900},
        bypass_csp=True,  # axe-core injected under the site's CSP
    )


def doctor_page(browser: Browser, url: str, room_id: str, notifications: bool, viewport=None) -> Page:  # type: ignore[no-untyped-def]
    context = context_for(browser, viewport)
    if notifications:
        context.grant_permissions(["notifications"], origin=url)
    page = context.new_page()
    page.set_default_timeout(15000)
    answer = page.request.post(f"{url}/api/auth/login", data={"login": DOCTOR, "password": DEMO_PASSWORD})
    assert answer.ok, answer.text()
    # Every room of his today (other tests' too) counts as entered: the page takes him into none of them.
    today = page.request.get(f"{url}/api/doctor/consultations").json()
    rooms = sorted({item["room_id"] for item in today if item.get("room_id")} | {room_id})
    context.add_init_script(DOCTOR_PAGE % json.dumps(rooms))
    page.goto(f"{url}/doctor/today")
    expect(page.locator("[data-test='waiting-queue']")).to_be_visible()
    return page


def patient_page(browser: Browser, url: str, visit: dict, init: str | None = None) -> Page:
    context = context_for(browser)
    if init:
        context.add_init_script(init)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{url}/room/{visit['room_id']}#token={visit['token']}")
    expect(page.locator("[data-test='room']")).to_have_attribute("data-phase", "lobby")
    return page


def since_texts(arrived: dt.datetime) -> str:
    """«В зале ожидания с 14:21»: the minute the patient came (or the next one, if it turned meanwhile)."""
    minutes = {(arrived + dt.timedelta(seconds=s)).astimezone(MOSCOW).strftime("%H:%M") for s in (0, 60)}
    return "|".join(re.escape(f"В зале ожидания с {m}") for m in sorted(minutes))


def short_name(full_name: str) -> str:
    surname, first = full_name.split()[:2]
    return f"{surname} {first[0]}."


@pytest.mark.timeout(300)
def test_the_doctor_sees_the_patient_arrive_with_the_device_check_and_is_alerted(stack, browser: Browser) -> None:
    visit = paid_drop_in(stack.url, signed_in(stack.url, REGISTRAR, DEMO_PASSWORD))
    name = visit["patient"].get("/me").json["full_name"]
    doctor = doctor_page(browser, stack.url, visit["room_id"], notifications=True)
    errors = watch_errors(doctor)
    queue = doctor.locator("[data-test='waiting-queue']")
    expect(queue.locator("[data-test='waiting-empty']")).to_be_visible()
    expect(queue.locator("[data-test='waiting-permission']")).to_contain_text("Уведомления включены")
    assert doctor.evaluate("window.__beeps") == 0

    arrived, started = dt.datetime.now(dt.UTC), time.monotonic()
    patient = patient_page(browser, stack.url, visit)
    expect(patient.locator("[data-test='check-camera']")).to_contain_text("Камера работает")

    row = queue.locator("[data-test='waiting-patient']")
    expect(row).to_have_count(1, timeout=20000)
    listed = time.monotonic()
    expect(row).to_contain_text(name)
    expect(row.locator("[data-test='waiting-since']")).to_have_text(re.compile(since_texts(arrived)))
    # The network check finishes a moment after the camera: the row follows it within a heartbeat or two.
    expect(row.locator("[data-test='waiting-checks']")).to_have_text(
        re.compile(r"^Камера: есть, микрофон: есть, сеть: [\d\s,]+ (Мбит/с|кбит/с)$"), timeout=40000
    )
    expect(row.locator("[data-test='waiting-verdict']")).to_have_text("Готов к консультации")
    print(f"queue: the patient listed {listed - started:.1f} s after opening the link")

    # The alert: on the page (a polite live region), a beep, the browser's notification.
    alert = doctor.locator("[data-test='waiting-live']")
    expect(alert).to_have_attribute("aria-live", "polite")
    expect(alert.locator("[data-test='waiting-alert']")).to_have_text(f"Пациент {short_name(name)} в зале ожидания.")
    assert doctor.evaluate("window.__beeps") >= 2  # two tones
    notes = doctor.evaluate("window.__notifications")
    assert [n["title"] for n in notes] == [f"Пациент {short_name(name)} в зале ожидания."], notes
    assert notes[0]["tag"] == visit["room_id"] and notes[0]["body"].startswith("Консультация в ")

    # The same patient's next heartbeats raise no new alert.
    doctor.wait_for_timeout(6000)
    assert len(doctor.evaluate("window.__notifications")) == 1

    # axe-core finds nothing critical or serious with a patient listed; at 390 px the row and its button fit.
    assert_accessible(doctor, "the doctor's day with a patient waiting (desktop)")
    doctor.set_viewport_size(PHONE)
    assert_accessible(doctor, "the doctor's day with a patient waiting (390 px)")
    box = row.locator("[data-test='waiting-open']").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert doctor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The patient closes the page: gone from the queue at once (not after 45 s).
    patient.goto("about:blank")
    expect(row).to_have_count(0, timeout=12000)
    expect(queue.locator("[data-test='waiting-empty']")).to_be_visible()

    # Back in the lobby: listed again; «Открыть консультацию» takes the doctor into the room.
    patient.goto(f"{stack.url}/room/{visit['room_id']}#token={visit['token']}")
    expect(row).to_have_count(1, timeout=20000)
    doctor.set_viewport_size({"width": 1280, "height": 900})
    row.locator("[data-test='waiting-open']").click()
    doctor.wait_for_url(re.compile(rf"/room/{visit['room_id']}$"))
    # In the room before the start (where the day page also takes him by itself), the same facts: this room's only.
    expect(doctor.locator("[data-test='room']")).to_have_attribute("data-phase", "lobby")
    in_room = doctor.locator("[data-test='waiting-queue']")
    expect(in_room.locator("h2")).to_have_text("Кто ждёт начала")
    expect(in_room.locator("[data-test='waiting-patient']")).to_have_count(1)
    expect(in_room.locator("[data-test='waiting-checks']")).to_contain_text("Камера: есть, микрофон: есть")
    expect(in_room.locator("[data-test='waiting-open']")).to_have_count(0)
    assert errors == []
    for page in (doctor, patient):
        page.context.close()


@pytest.mark.timeout(300)
def test_a_patient_without_a_camera_is_listed_so(stack, browser: Browser) -> None:
    visit = paid_drop_in(stack.url, signed_in(stack.url, REGISTRAR, DEMO_PASSWORD))
    doctor = doctor_page(browser, stack.url, visit["room_id"], notifications=False)
    queue = doctor.locator("[data-test='waiting-queue']")
    # No permission yet: the button that asks for it (a click is what browsers require).
    expect(queue.locator("[data-test='waiting-enable']")).to_have_text("Включить уведомления")

    patient = patient_page(browser, stack.url, visit, NO_CAMERA)
    expect(patient.locator("[data-test='check-camera']")).not_to_contain_text("Камера работает")
    row = queue.locator("[data-test='waiting-patient']")
    expect(row).to_have_count(1, timeout=20000)
    expect(row.locator("[data-test='waiting-checks']")).to_contain_text("Камера: нет, микрофон: есть")
    expect(row.locator("[data-test='waiting-verdict']")).to_have_text("Не всё готово к консультации")
    expect(doctor.locator("[data-test='waiting-alert']")).to_contain_text("в зале ожидания")
    assert doctor.evaluate("window.__notifications") == []  # not allowed: none shown
    assert doctor.evaluate("window.__beeps") >= 2
    for page in (doctor, patient):
        page.context.close()
