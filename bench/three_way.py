"""A three-way call (#19: a guest in the call) on the local stack, through the room page itself.

The doctor, the patient and the patient's invited guest are three browser contexts in the demo doctor's one-minute
drop-in room (Chromium's own fake camera, 640x480 at 30 fps); each page is a mesh peer (the doctor offers to the
patient and the guest, the patient to the guest). Measured per page: from the moment all three are present (the last
one's join answered by the signaling) to the first frame of both others' videos shown there (each <video> with a
picture), the median of RUNS calls.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import Row, at_most, median, row
from bench.video import CHROMIUM, FLAGS, _room_open, _wait
from local.client import HttpApi, signed_in
from local.process import start_stack, stop_stack

RUNS = 5  # 3 was too few: on this 2-core machine one slow call moved a median by 0.4 s
ROLES = ("doctor", "patient", "guest")
# Each remote <video>'s first picture, by the remote's role, in the page's clock (epoch ms, as marks.joined).
FIRST_FRAMES = """
window.__firstFrames = {};
setInterval(() => {
  document.querySelectorAll('[data-test="remote-video"], [data-test="remote-video-extra"]').forEach((video) => {
    const role = video.dataset.role
    if (role && video.videoWidth > 0 && !window.__firstFrames[role]) window.__firstFrames[role] = Date.now()
  })
}, 5)
"""


def _guest_token(url: str, visit: dict[str, Any]) -> str:
    answer = visit["patient"].post(
        f"/bookings/{visit['booking']['id']}/guest",
        {"name": "Гостева Анна", "email": "guest-bench@example.org", "relation": "relative"},
    )
    assert answer.status == 200, answer.json
    for mail in HttpApi(url).get("/dev/outbox").json:
        found = re.search(r"/room/" + visit["room_id"] + r"#token=([A-Za-z0-9_-]+)", mail["text"])
        if mail["to"] == ["guest-bench@example.org"] and found:
            return found.group(1)
    raise RuntimeError("bench three_way: no invitation in the outbox")


def _one_call(browser: Any, url: str, visit: dict[str, Any], guest_token: str) -> dict[str, float]:
    """Seconds from all three present to both others' first frames, per page."""
    contexts, pages = [], {}
    try:
        for role in ROLES:
            context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow")
            context.add_init_script(FIRST_FRAMES)
            contexts.append(context)
            if role == "doctor":
                login = context.request.post(
                    f"{url}/api/auth/login", data={"login": "doctor@clinic.local", "password": "demo-password"}
                )
                assert login.ok, login.text()
            page = context.new_page()
            token = {"doctor": "", "patient": f"#token={visit['token']}", "guest": f"#token={guest_token}"}[role]
            page.goto(f"{url}/room/{visit['room_id']}{token}")
            pages[role] = page
        for role, page in pages.items():
            others = [other for other in ROLES if other != role]
            seen = f"{others!r}.every((r) => window.__firstFrames[r])"
            page.wait_for_function(f"() => window.__call && window.__call.marks.joined && {seen}", timeout=30000)
        present = max(page.evaluate("() => window.__call.marks.joined") for page in pages.values())
        return {
            role: (max(page.evaluate("() => Object.values(window.__firstFrames)")) - present) / 1000
            for role, page in pages.items()
        }
    finally:
        for page in pages.values():  # leave the call: the connections close and give their TURN allocations back
            with contextlib.suppress(Exception):
                page.locator("[data-test='hang-up']").click(timeout=3000)
                if page.locator("[data-test='room-end-dialog']").is_visible():
                    page.locator("[data-test='room-leave-only']").click(timeout=3000)
        time.sleep(0.5)
        for context in contexts:
            context.close()
        time.sleep(0.5)


def measure() -> list[Row]:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-three-way-"))
    stack = start_stack(work, {"LOCAL_DROP_IN_MINUTES": "1", "ROOM_GRACE_MINUTES": "1"})
    times: dict[str, list[float]] = {role: [] for role in ROLES}
    try:
        from tests.api.test_rooms_over_http import paid_drop_in

        visit = paid_drop_in(stack.url, signed_in(stack.url, "registrar@clinic.local", "demo-password"))
        guest_token = _guest_token(stack.url, visit)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                _wait(lambda: _room_open(stack.url, visit), 150, "the room did not open")
                for _ in range(RUNS):
                    for role, seconds in _one_call(browser, stack.url, visit, guest_token).items():
                        times[role].append(seconds)
            finally:
                browser.close()
    finally:
        stop_stack(stack)
        shutil.rmtree(work, ignore_errors=True)
    return [
        row(
            f"three-way call: all three present → both others' first frames, {role}'s page, median of {RUNS}",
            median(times[role]),
            "s",
            at_most(1.0),
        )
        for role in ROLES
    ]
