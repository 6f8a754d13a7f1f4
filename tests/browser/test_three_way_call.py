"""A guest in the call (#19), in three browser contexts against the local stack: the patient invites an interpreter
from the booking's API, the guest opens the emailed link, and the doctor, the patient and the guest each decode the
two others' video (a mesh); the doctor sees who is who, removes the guest, the guest's page says so and the
doctor's and the patient's call goes on. Chromium's fake camera and microphone (conftest's flags) are the media."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from local.client import HttpApi, signed_in
from tests.api.test_rooms_over_http import paid_drop_in
from tests.browser.test_accounts_flow import DEMO_PASSWORD, REGISTRAR, watch_errors
from tests.browser.test_call import OPENING, new_context, new_page, signed_in_doctor

GUEST_EMAIL = "interpreter@example.org"
# Both remote videos of a page: the large one and the tile (their pictures, and the frames shown so far).
VIDEOS = """() => ['remote-video', 'remote-video-extra'].map((name) => {
  const video = document.querySelector(`[data-test="${name}"]`)
  const quality = video && video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null
  return { role: video ? video.dataset.role : null, width: video ? video.videoWidth : 0,
           frames: quality ? quality.totalVideoFrames : 0 }
})"""


def videos(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate(VIDEOS))


def both_advance(page: Page, within: float, by: int = 15) -> list[dict[str, Any]]:
    """Each of the two others' videos has a picture here and its frames keep coming."""
    deadline = time.monotonic() + within
    start = [v["frames"] for v in videos(page)]
    seen: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        seen = videos(page)
        if all(v["width"] > 0 and v["frames"] >= s + by for v, s in zip(seen, start, strict=True)):
            return seen
        time.sleep(0.25)
    raise AssertionError(f"{page.url.split('#')[0]}: the two remote videos did not both advance: {seen}")


def invite_guest(url: str, visit: dict[str, Any], relation: str = "interpreter") -> str:
    """The patient invites the guest (POST /bookings/{id}/guest); the guest's token, from the emailed link."""
    answer = visit["patient"].post(
        f"/bookings/{visit['booking']['id']}/guest",
        {"name": "Переводчикова Ольга", "email": GUEST_EMAIL, "relation": relation},
    )
    assert answer.status == 200, answer.json
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for mail in HttpApi(url).get("/dev/outbox").json:
            found = re.search(r"/room/" + visit["room_id"] + r"#token=([A-Za-z0-9_-]+)", mail["text"])
            if mail["to"] == [GUEST_EMAIL] and found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError("no invitation in the outbox")


def three_in_the_call(browser: Browser, url: str, visit: dict[str, Any], guest_token: str) -> dict[str, Page]:
    patient = new_page(new_context(browser))
    patient.goto(f"{url}/room/{visit['room_id']}#token={visit['token']}")
    doctor = signed_in_doctor(browser, url)
    doctor.goto(f"{url}/room/{visit['room_id']}")
    guest = new_page(new_context(browser))
    guest.goto(f"{url}/room/{visit['room_id']}#token={guest_token}")
    return {"doctor": doctor, "patient": patient, "guest": guest}


@pytest.mark.timeout(300)
def test_three_browsers_each_decode_the_two_others_and_the_doctor_removes_the_guest(stack, browser: Browser) -> None:
    visit = paid_drop_in(stack.url, signed_in(stack.url, REGISTRAR, DEMO_PASSWORD))
    token = invite_guest(stack.url, visit)
    pages = three_in_the_call(browser, stack.url, visit, token)
    errors = {name: watch_errors(page) for name, page in pages.items()}
    guest = pages["guest"]
    # The guest passes the same device check as the patient, and is told who else is coming.
    expect(guest.locator("[data-test='check-camera']")).to_contain_text("Камера работает")
    expect(pages["patient"].locator("[data-test='room-guest']")).to_contain_text("Переводчикова Ольга (переводчик)")

    for page in pages.values():
        expect(page.locator("[data-test='room']")).to_have_attribute("data-phase", "open", timeout=OPENING)
    for name, page in pages.items():
        seen = both_advance(page, 30)
        assert sorted(v["role"] for v in seen) == sorted({"doctor", "patient", "guest"} - {name}), (name, seen)

    # Who is who: the doctor's labels.
    labels = pages["doctor"].locator("[data-test='remote-label']")
    expect(labels).to_have_count(2)
    assert sorted(text.strip() for text in labels.all_inner_texts()) == ["Гость: переводчик", "Пациент:"]
    expect(guest.locator("[data-test='guest-tile'] [data-test='remote-label']")).to_have_text("Пациент")
    expect(guest.locator("[data-test='call'] [data-test='room-with']")).to_contain_text("Врач:")

    # The doctor removes the guest: the guest's page says so; the doctor's and the patient's call goes on.
    pages["doctor"].locator("[data-test='remove-guest']").click()
    expect(guest.locator("[data-test='guest-removed']")).to_contain_text("Вы больше не участвуете в консультации")
    for name in ("doctor", "patient"):
        expect(pages[name].locator("[data-test='remote-video-extra']")).to_have_count(0, timeout=10000)
        expect(pages[name].locator("[data-test='room']")).to_have_attribute("data-phase", "open")
    for name, other in (("doctor", "patient"), ("patient", "doctor")):
        deadline, start = time.monotonic() + 10, videos(pages[name])[0]["frames"]
        while videos(pages[name])[0]["frames"] < start + 15 and time.monotonic() < deadline:
            time.sleep(0.25)
        main = videos(pages[name])[0]
        assert main["role"] == other and main["frames"] >= start + 15, (name, main)
    # The link no longer opens the room.
    again = HttpApi(stack.url).get(f"/rooms/{visit['room_id']}", headers={"X-Room-Token": token})
    assert again.status == 404, again.json
    for page in pages.values():
        page.context.close()
    assert all(found == [] for found in errors.values()), errors
