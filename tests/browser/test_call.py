"""The video room in two browser contexts against the local stack, as the seed describes it: the patient opens the
emailed link and sees the countdown; the doctor signs in, opens «Мои консультации» and is taken into the room by
itself; the booking timer opens the room and the call starts on both sides by itself. Also: TURN relay only
(`?relay=1`), and a network drop on the patient's side that the call gets over.

Each test books its own one-minute drop-in slot (the stack runs with LOCAL_DROP_IN_MINUTES=1), so it waits up to
about 100 s for its room to open. Chromium's fake camera and microphone (conftest's flags) are the media."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from local.client import signed_in
from tests.api.test_rooms_over_http import paid_drop_in
from tests.browser.test_accounts_flow import DEMO_PASSWORD, REGISTRAR, watch_errors

DOCTOR = "doctor@clinic.local"
DOCTOR_LINE = "Иванов Сергей Николаевич (Терапия)"
OPENING = 150_000  # ms: the slot starts 40–100 s after booking, and the timer opens the room at its start
DROP_S = 4  # s: the patient's network drop the call gets over

STATS = """async () => {
  const call = window.__call
  const stats = call && (await call.stats())
  const video = document.querySelector('[data-test="remote-video"]')
  return stats && {
    frames: stats.framesDecoded, width: video ? video.videoWidth : 0, local: stats.localCandidateType,
    remote: stats.remoteCandidateType, connection: call.connection
  }
}"""


def new_context(browser: Browser) -> BrowserContext:
    return browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport={"width": 1280, "height": 900})


def new_page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def stats(page: Page) -> dict[str, Any]:
    return page.evaluate(STATS) or {"frames": 0, "width": 0, "local": "", "remote": "", "connection": ""}


def frames_advance(page: Page, within: float, by: int = 15) -> dict[str, Any]:
    """The other one's video is decoded and shown here: frames keep coming and the <video> has a picture."""
    deadline = time.monotonic() + within
    start = stats(page)["frames"]
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline:
        seen = stats(page)
        if seen["frames"] >= start + by and seen["width"] > 0:
            return seen
        time.sleep(0.25)
    raise AssertionError(f"{page.url.split('?')[0]}: remote frames did not advance within {within} s: {seen}")


def frames_stopped(first: Page, second: Page, within: float) -> tuple[int, int]:
    """Neither side decodes a new frame any more (two looks 0.25 s apart, 30 fps video): the counts then."""
    deadline = time.monotonic() + within
    seen = (stats(first)["frames"], stats(second)["frames"])
    while time.monotonic() < deadline:
        time.sleep(0.25)
        latest = (stats(first)["frames"], stats(second)["frames"])
        if latest == seen:
            return latest
        seen = latest
    raise AssertionError(f"frames kept coming for {within} s of the network's drop: {seen}")


def open_patient(browser: Browser, base_url: str, visit: dict, query: str = "") -> Page:
    """The link from the paid-consultation email (paid_drop_in read it from the outbox)."""
    page = new_page(new_context(browser))
    page.goto(f"{base_url}/room/{visit['room_id']}{'?' + query if query else ''}#token={visit['token']}")
    return page


def signed_in_doctor(browser: Browser, base_url: str) -> Page:
    page = new_page(new_context(browser))
    response = page.request.post(f"{base_url}/api/auth/login", data={"login": DOCTOR, "password": DEMO_PASSWORD})
    assert response.ok, response.text()
    return page


def hang_up(*pages: Page) -> None:
    """«Завершить»: leaves the room and closes the connection (its TURN allocations go back to coturn)."""
    for page in pages:
        page.locator("[data-test='hang-up']").click()
        # The doctor is asked «Завершить консультацию?»: these tests only leave the call.
        if page.locator("[data-test='room-end-dialog']").is_visible():
            page.locator("[data-test='room-leave-only']").click()
        expect(page.locator("[data-test='room-left']")).to_be_visible()
    for page in pages:
        page.context.close()


def wait_for_call(*pages: Page) -> None:
    for page in pages:
        expect(page.locator("[data-test='room']")).to_have_attribute("data-phase", "open", timeout=OPENING)
        expect(page.locator("[data-test='call-status']")).to_have_text("Соединение установлено", timeout=20000)


@pytest.mark.timeout(300)
def test_patient_waits_with_a_countdown_and_the_doctor_is_taken_in_the_call_starts_by_itself(
    stack, browser: Browser
) -> None:
    visit = paid_drop_in(stack.url, signed_in(stack.url, REGISTRAR, DEMO_PASSWORD))

    patient = open_patient(browser, stack.url, visit)
    patient_errors = watch_errors(patient)
    expect(patient.locator("[data-test='room']")).to_have_attribute("data-phase", "lobby")
    expect(patient.locator("[data-test='room-doctor']")).to_have_text(DOCTOR_LINE)
    countdown = patient.locator("[data-test='room-countdown']")
    expect(countdown).to_have_text(re.compile(r"^\d+ мин \d\d с$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=3000)  # it counts down
    expect(patient.get_by_text("Таймер покажет время до начала консультации.", exact=False)).to_be_visible()
    expect(patient.locator("[data-test='check-camera']")).to_contain_text("Камера работает")
    expect(patient.locator("[data-test='room-presence']")).to_have_text("Врач подключится в назначенное время.")

    # The doctor only signs in and opens «Мои консультации»: the page takes them into the room.
    doctor = new_page(new_context(browser))
    doctor_errors = watch_errors(doctor)
    doctor.goto(stack.url + "/login?next=/doctor/today")
    doctor.get_by_label("Логин", exact=True).fill(DOCTOR)
    doctor.get_by_label("Пароль", exact=True).fill(DEMO_PASSWORD)
    doctor.get_by_role("button", name="Войти", exact=True).click()
    doctor.wait_for_url(re.compile(rf"/room/{visit['room_id']}$"), timeout=20000)
    expect(patient.locator("[data-test='room-presence']")).to_have_text("Врач уже в комнате.")

    # The booking timer opens the room; both sides start the call by themselves and see each other.
    wait_for_call(patient, doctor)
    frames_advance(patient, 20)
    frames_advance(doctor, 20)
    expect(doctor.locator("[data-test='room-with']")).to_have_text("Тестовый Пациент")

    # The chat goes through the signaling socket.
    patient.locator("[data-test='chat-input']").fill("Здравствуйте, доктор!")
    patient.locator("[data-test='chat-send']").click()
    expect(doctor.locator("[data-test='chat-message']").last).to_contain_text("Здравствуйте, доктор!")

    hang_up(patient, doctor)
    assert patient_errors == [] and doctor_errors == []


@pytest.mark.timeout(300)
def test_relay_only_goes_through_turn(stack, browser: Browser) -> None:
    visit = paid_drop_in(stack.url, signed_in(stack.url, REGISTRAR, DEMO_PASSWORD))
    patient = open_patient(browser, stack.url, visit, "relay=1")
    doctor = signed_in_doctor(browser, stack.url)
    doctor.goto(f"{stack.url}/room/{visit['room_id']}?relay=1")

    wait_for_call(patient, doctor)
    for page in (patient, doctor):
        seen = frames_advance(page, 20)
        # The selected candidate pair: this side's candidate is a TURN relay one.
        assert seen["local"] == "relay", seen
    patient.locator("[data-test='toggle-stats']").click()
    expect(patient.locator("[data-test='stats-route']")).to_have_text("через сервер TURN")
    hang_up(patient, doctor)


@pytest.mark.timeout(300)
def test_the_call_gets_over_a_network_drop_of_a_few_seconds(stack, browser: Browser) -> None:
    visit = paid_drop_in(stack.url, signed_in(stack.url, REGISTRAR, DEMO_PASSWORD))
    patient = new_page(new_context(browser))
    # Chromium applies emulated network conditions to WebRTC's sockets only when they are on before the
    # connection is made (context.set_offline alone does not touch WebRTC): neutral conditions first.
    network = patient.context.new_cdp_session(patient)
    network.send("Network.enable")
    conditions = {"latency": 1, "downloadThroughput": -1, "uploadThroughput": -1}
    network.send("Network.emulateNetworkConditions", {**conditions, "offline": False, "packetLoss": 0})
    patient.goto(f"{stack.url}/room/{visit['room_id']}#token={visit['token']}")
    doctor = signed_in_doctor(browser, stack.url)
    doctor.goto(f"{stack.url}/room/{visit['room_id']}")
    wait_for_call(patient, doctor)
    frames_advance(patient, 20)
    frames_advance(doctor, 20)

    # The patient's network goes away for DROP_S seconds (the drop's length is the scenario, so that much time is
    # let pass): once the frames in flight are decoded, nothing comes through, on either side.
    network.send("Network.emulateNetworkConditions", {**conditions, "offline": True, "packetLoss": 100})
    drop_ends = time.monotonic() + DROP_S
    during = frames_stopped(patient, doctor, within=DROP_S)
    while time.monotonic() < drop_ends:
        now_seen = (stats(patient)["frames"], stats(doctor)["frames"])
        assert now_seen[0] - during[0] < 15 and now_seen[1] - during[1] < 15, (during, now_seen)
        time.sleep(0.25)

    # Back: both decode the other's video again within 10 s.
    network.send("Network.emulateNetworkConditions", {**conditions, "offline": False, "packetLoss": 0})
    frames_advance(patient, 10)
    frames_advance(doctor, 10)
    expect(patient.locator("[data-test='call-status']")).to_have_text("Соединение установлено", timeout=10000)
    hang_up(patient, doctor)


@pytest.mark.timeout(300)
def test_the_doctor_is_told_within_5_s_that_the_patient_left_or_lost_the_network_and_the_call_resumes(
    stack, browser: Browser
) -> None:
    visit = paid_drop_in(stack.url, signed_in(stack.url, REGISTRAR, DEMO_PASSWORD))
    doctor = signed_in_doctor(browser, stack.url)
    doctor_errors = watch_errors(doctor)
    doctor.goto(f"{stack.url}/room/{visit['room_id']}")
    # The doctor's device check speaks of the patient, not of «врача».
    expect(doctor.locator("[data-test='device-check']")).to_contain_text("будет ли слышно пациента")
    expect(doctor.locator("[data-test='device-check']")).not_to_contain_text("врач")
    patient = open_patient(browser, stack.url, visit)
    expect(patient.locator("[data-test='device-check']")).to_contain_text("будет ли слышно врача")
    wait_for_call(patient, doctor)
    frames_advance(doctor, 20)

    # «Мои консультации» opened during the call (the doctor came by the room's address, not through the list) shows
    # the day and does not take the doctor into the room a second time.
    day = new_page(doctor.context)
    day.set_default_timeout(45000)  # a loaded machine: the page's own load, not a wait for the bounce
    day.goto(f"{stack.url}/doctor/today")
    # This visit's own row: the shared stack's day may list the other tests' consultations too.
    own_room = day.locator(f"[data-test='enter-room'][href='/room/{visit['room_id']}']")
    expect(own_room).to_be_visible(timeout=45000)
    day.wait_for_load_state("networkidle")
    assert day.url.endswith("/doctor/today"), day.url
    expect(own_room).to_be_visible()
    day.close()

    # The patient closes the page: «Пациент вышел» within 5 s, with «Подождать» and «Завершить консультацию».
    patient.close()
    notice = doctor.locator("[data-test='peer-gone']")
    expect(notice).to_contain_text("Пациент вышел", timeout=5000)
    expect(notice.get_by_role("button", name="Подождать")).to_be_visible()
    expect(notice.get_by_role("button", name="Завершить консультацию")).to_be_visible()
    expect(doctor.locator("[data-test='call-status']")).to_have_text("Ожидаем подключения пациента…")

    # The patient comes back (this time with the network emulated, to cut it below): the call resumes, the notice goes.
    patient = new_page(patient.context)
    network = patient.context.new_cdp_session(patient)
    network.send("Network.enable")
    conditions = {"latency": 1, "downloadThroughput": -1, "uploadThroughput": -1}
    network.send("Network.emulateNetworkConditions", {**conditions, "offline": False, "packetLoss": 0})
    patient.goto(f"{stack.url}/room/{visit['room_id']}#token={visit['token']}")
    expect(notice).to_be_hidden(timeout=20000)
    wait_for_call(patient, doctor)
    frames_advance(doctor, 20)

    # The patient's network dies without a word: no media for 3 s is enough to tell the doctor, within 5 s.
    network.send("Network.emulateNetworkConditions", {**conditions, "offline": True, "packetLoss": 100})
    expect(notice).to_contain_text("Пациент вышел", timeout=5000)
    notice.get_by_role("button", name="Подождать").click()
    expect(notice).to_be_hidden()
    expect(doctor.locator("[data-test='call-status']")).to_have_text("Ожидаем подключения пациента…")

    # The network is back: the call goes on by itself.
    network.send("Network.emulateNetworkConditions", {**conditions, "offline": False, "packetLoss": 0})
    frames_advance(doctor, 15)
    expect(doctor.locator("[data-test='call-status']")).to_have_text("Соединение установлено", timeout=10000)
    expect(notice).to_be_hidden()
    hang_up(patient, doctor)
    assert doctor_errors == []
