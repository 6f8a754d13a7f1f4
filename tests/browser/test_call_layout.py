"""The call's layout with a real two-browser call (Chromium's fake camera): the doctor on a laptop (1366×768), the
patient on a phone (390×844). The call takes the whole window without the site's header; the other one's video is as
large as the window allows; «Завершить» and the microphone's and camera's buttons are in view without scrolling (and
at least 44 px on the phone); one's own video is small and can be moved to another corner; on the phone the chat is
closed, counts a message that comes, and opens over the video. When the doctor's page closes, the patient is told
«Врач вышел» within 5 s."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from local.client import signed_in
from tests.api.test_rooms_over_http import paid_drop_in
from tests.browser.test_accounts_flow import DEMO_PASSWORD, REGISTRAR, watch_errors
from tests.browser.test_call import DOCTOR, frames_advance, hang_up, new_page, wait_for_call

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

PICTURE = """(video) => {
  const box = video.getBoundingClientRect()
  const scale = Math.min(box.width / video.videoWidth, box.height / video.videoHeight)
  return { width: video.videoWidth * scale, height: video.videoHeight * scale }
}"""


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def in_view(page: Page, locator: Locator) -> dict[str, float]:
    """The element is wholly within the window as it is (nothing scrolled)."""
    size = page.viewport_size
    assert size is not None
    found = box(locator)
    assert found["x"] >= 0 and found["y"] >= 0, (locator, found)
    assert found["x"] + found["width"] <= size["width"] + 0.5, (locator, found, size)
    assert found["y"] + found["height"] <= size["height"] + 0.5, (locator, found, size)
    return found


def centre(found: dict[str, float]) -> tuple[float, float]:
    return found["x"] + found["width"] / 2, found["y"] + found["height"] / 2


def check_layout(page: Page, phone: bool) -> dict[str, Any]:
    size = page.viewport_size
    assert size is not None
    area = size["width"] * size["height"]
    assert page.evaluate("() => window.scrollY") == 0
    expect(page.locator(".site-header")).to_have_count(0)
    expect(page.locator(".site-footer")).to_have_count(0)

    # The other one's video: its box fills most of the window, and the picture reaches the box's edges on one axis.
    remote = page.locator("[data-test='remote-video']")
    remote_box = in_view(page, remote)
    assert remote_box["width"] * remote_box["height"] >= 0.6 * area, (remote_box, size)
    # The picture's own size is known once the element has a decoded frame (after a re-render it starts at 0×0).
    page.wait_for_function(
        "() => { const v = document.querySelector(\"[data-test='remote-video']\"); return v && v.videoWidth > 0 }"
    )
    picture = remote.evaluate(PICTURE)
    assert picture["width"] >= remote_box["width"] - 1 or picture["height"] >= remote_box["height"] - 1, picture

    for control in ("toggle-mic", "toggle-camera", "toggle-chat", "hang-up"):
        found = in_view(page, page.locator(f"[data-test='{control}']"))
        if phone:
            assert found["width"] >= 44 and found["height"] >= 44, (control, found)

    # One's own video is small.
    own = in_view(page, page.locator("[data-test='self-view']"))
    assert own["width"] * own["height"] <= 0.1 * area, own
    return remote_box


@pytest.mark.timeout(300)
def test_the_call_takes_the_window_on_a_laptop_and_on_a_phone(stack, browser: Browser) -> None:
    visit = paid_drop_in(stack.url, signed_in(stack.url, REGISTRAR, DEMO_PASSWORD))
    patient = new_page(
        browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=PHONE, is_mobile=True, has_touch=True)
    )
    patient_errors = watch_errors(patient)
    patient.goto(f"{stack.url}/room/{visit['room_id']}#token={visit['token']}")
    doctor = new_page(browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP))
    doctor_errors = watch_errors(doctor)
    response = doctor.request.post(f"{stack.url}/api/auth/login", data={"login": DOCTOR, "password": DEMO_PASSWORD})
    assert response.ok, response.text()
    doctor.goto(f"{stack.url}/room/{visit['room_id']}")

    wait_for_call(patient, doctor)
    frames_advance(patient, 20)
    frames_advance(doctor, 20)

    # The laptop: the chat is open beside the video, not over it.
    remote_box = check_layout(doctor, phone=False)
    chat = in_view(doctor, doctor.locator("[data-test='chat']"))
    assert chat["x"] >= remote_box["x"] + remote_box["width"] - 1, (chat, remote_box)

    # The phone: the chat is closed; a message that comes is counted on its button.
    check_layout(patient, phone=True)
    expect(patient.locator("[data-test='chat']")).to_be_hidden()
    doctor.locator("[data-test='chat-input']").fill("Покажите, пожалуйста, горло.")
    doctor.locator("[data-test='chat-send']").click()
    expect(patient.locator("[data-test='chat-unread'] [aria-hidden='true']")).to_have_text("1")
    patient.locator("[data-test='toggle-chat']").tap()
    panel = patient.locator("[data-test='chat']")
    expect(panel.locator("[data-test='chat-message']")).to_contain_text("Покажите, пожалуйста, горло.")
    expect(patient.locator("[data-test='chat-unread']")).to_have_count(0)
    # Over the video, within the window, and the buttons still in view below it.
    opened = in_view(patient, panel)
    video = box(patient.locator("[data-test='remote-video']"))
    assert opened["y"] < video["y"] + video["height"] and opened["y"] + opened["height"] > video["y"], (opened, video)
    hang = in_view(patient, patient.locator("[data-test='hang-up']"))
    assert opened["y"] + opened["height"] <= hang["y"], (opened, hang)
    patient.locator("[data-test='chat-input']").fill("Хорошо")
    patient.locator("[data-test='chat-send']").tap()
    expect(doctor.locator("[data-test='chat-message']").last).to_contain_text("Хорошо")
    patient.locator("[data-test='chat-close']").tap()
    expect(panel).to_be_hidden()

    # One's own video moves: by its button on the phone, by dragging on the laptop (to the nearest corner).
    own = patient.locator("[data-test='self-view']")
    before = centre(box(own))
    patient.locator("[data-test='move-self']").tap()
    expect(own).not_to_have_class(re.compile(r"call__self--bottom-right"))
    after = centre(in_view(patient, own))
    assert abs(after[0] - before[0]) > PHONE["width"] / 3 or abs(after[1] - before[1]) > PHONE["height"] / 3

    own = doctor.locator("[data-test='self-view']")
    start = centre(box(own))
    doctor.mouse.move(start[0], start[1])
    doctor.mouse.down()
    doctor.mouse.move(200, 200, steps=8)
    doctor.mouse.up()
    expect(own).to_have_class(re.compile(r"call__self--top-left"))
    moved = in_view(doctor, own)
    assert moved["x"] < DESKTOP["width"] / 4 and moved["y"] < DESKTOP["height"] / 4, moved

    # The doctor's page closes: the patient is told within 5 s.
    doctor.close()
    expect(patient.locator("[data-test='peer-gone']")).to_contain_text("Врач вышел", timeout=5000)
    in_view(patient, patient.locator("[data-test='peer-gone']"))
    expect(patient.locator("[data-test='call-status']")).to_have_text("Ожидаем подключения врача…")
    hang_up(patient)
    doctor.context.close()
    assert patient_errors == [] and doctor_errors == []
