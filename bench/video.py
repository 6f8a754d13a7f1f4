"""The video call on the local stack, through the room page itself, with a realistic camera.

A 1080p clip (grainy gradients panning in three bands and a disc crossing them, 2.5 s at 30 fps, looped
by Chromium; ~233 MB, written in under a second with plain Python) is written
at bench time and given to Chromium as the camera (--use-file-for-fake-video-capture). The doctor
and the patient are two browser contexts in the demo doctor's one-minute drop-in rooms; the room
page is opened with `?relay=1` (TURN only) and `?bitrate=` (the cap under test), as a person would.

- time from "both present" (the later of the two learns the other is in the open room) to the first
  remote frame shown on both sides: P2P and relay;
- video bitrate the patient's side sends over 10 s under the 640 and 128 kbit/s caps (outbound-rtp
  payload bytes, after 10 s of ramp-up);
- the resolution and frame rate the doctor's side receives under the 128 kbit/s cap.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import Row, at_least, at_most, median, row
from local.client import HttpApi, signed_in
from local.process import start_stack, stop_stack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
RUNS = 3
WARM_UP = 10
WIDTH, HEIGHT, FPS, SECONDS = 1920, 1080, 30, 2.5


# --- The camera: a Y4M clip, written with plain Python ---------------------------------------


def _texture(
    rnd: random.Random, width: int, height: int, amplitude: int, centre: int, swing: int, scale: float, segment: int = 8
) -> list[bytes]:
    """Rows of smooth gradients with grain: each 8-pixel run is random bytes mapped by a lookup table
    onto its gradient level ± amplitude (bytes.translate keeps it fast)."""
    tables = [
        bytes(max(16, min(240, level + v * (2 * amplitude + 1) // 256 - amplitude)) for v in range(256))
        for level in range(256)
    ]
    runs = width // segment + 1
    rows = []
    for y in range(height):
        raw = rnd.randbytes(runs * segment)
        parts = []
        for s in range(runs):
            x = s * segment
            level = centre + int(
                swing
                * (
                    0.6 * math.sin(x / (170.0 * scale) + y / (260.0 * scale))
                    + 0.4 * math.cos(y / (90.0 * scale) - x / (400.0 * scale))
                )
            )
            parts.append(raw[x : x + segment].translate(tables[max(0, min(255, level))]))
        rows.append(b"".join(parts)[:width])
    return rows


def write_clip(path: Path, seconds: float = SECONDS, fps: int = FPS, width: int = WIDTH, height: int = HEIGHT) -> Path:
    """A 4:2:0 Y4M clip: three horizontal bands of grainy gradients panning at different speeds and
    directions (as a background and a moving person do) and a bright disc crossing them."""
    rnd = random.Random(20260101)
    frames = int(seconds * fps)
    pad_x, pad_y = 5 * frames + 16, 2 * frames + 16
    # Grain of ±10 levels: an indoor webcam's picture, noisier than a good one's.
    luma = _texture(rnd, width + pad_x, height + pad_y, 10, 118, 80, 1.0)
    disc = _texture(rnd, 2 * 200, 2 * 200, 8, 175, 40, 0.4)
    cw, ch = width // 2, height // 2
    chroma_u = _texture(rnd, cw + pad_x // 2, ch + pad_y // 2, 4, 124, 22, 0.5)
    chroma_v = _texture(rnd, cw + pad_x // 2, ch + pad_y // 2, 4, 134, 18, 0.7)
    band = height // 3
    radius = 180
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for f in range(frames):
            # Band offsets: right, left, and diagonally.
            offsets = [(5 * f, f), (pad_x - 16 - 5 * f, 2 * f), (3 * f, pad_y - 16 - 2 * f)]
            cx = int(width * (0.2 + 0.6 * f / frames))
            cy = int(height / 2 + height / 5 * math.sin(2 * math.pi * f / frames))
            plane = []
            for y in range(height):
                ox, oy = offsets[min(2, y // band)]
                line = luma[oy + y][ox : ox + width]
                dy = y - cy
                if -radius < dy < radius:
                    half = int(math.sqrt(radius * radius - dy * dy))
                    a, b = max(0, cx - half), min(width, cx + half)
                    line = line[:a] + disc[dy + radius][a - cx + 200 : b - cx + 200] + line[b:]
                plane.append(line)
            out.write(b"FRAME\n")
            out.write(b"".join(plane))
            for source in (chroma_u, chroma_v):
                rows = []
                for y in range(ch):
                    ox, oy = offsets[min(2, (2 * y) // band)]
                    rows.append(source[oy // 2 + y][ox // 2 : ox // 2 + cw])
                out.write(b"".join(rows))
    return path


# --- The rooms -----------------------------------------------------------------------------


def _wait(predicate: Callable[[], bool], timeout: float, what: str, step: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise RuntimeError(f"bench video: {what} within {timeout:.0f} s")


def _room_open(url: str, visit: dict) -> bool:
    answer = HttpApi(url).get(f"/rooms/{visit['room_id']}", headers={"X-Room-Token": visit["token"]})
    return answer.status == 200 and answer.json["status"] == "open"


class _Call:
    """The patient's and the doctor's pages in one room, each in its own browser context."""

    def __init__(self, browser: Any, url: str, visit: dict, query: str) -> None:
        self.contexts = []
        patient = self._page(browser)
        patient.goto(f"{url}/room/{visit['room_id']}{'?' + query if query else ''}#token={visit['token']}")
        patient.wait_for_function("() => window.__call && window.__call.marks.joined", timeout=30000)
        doctor_context = self._context(browser)
        login = doctor_context.request.post(
            f"{url}/api/auth/login", data={"login": "doctor@clinic.local", "password": "demo-password"}
        )
        assert login.ok, login.text()
        doctor = doctor_context.new_page()
        doctor.goto(f"{url}/room/{visit['room_id']}{'?' + query if query else ''}")
        self.patient, self.doctor = patient, doctor
        for page in (patient, doctor):
            page.wait_for_function("() => window.__call && window.__call.marks.firstRemoteFrame", timeout=30000)

    def _context(self, browser: Any) -> Any:
        context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow")
        self.contexts.append(context)
        return context

    def _page(self, browser: Any) -> Any:
        return self._context(browser).new_page()

    def first_frame_seconds(self) -> float:
        marks = [page.evaluate("() => window.__call.marks") for page in (self.patient, self.doctor)]
        both = max(m["bothPresent"] for m in marks)
        first = max(m["firstRemoteFrame"] for m in marks)
        return (first - both) / 1000

    @staticmethod
    def stats(page: Any) -> dict:
        return page.evaluate("() => window.__call.stats()")

    def close(self) -> None:
        # «Завершить» on both sides: the connections close and give their TURN allocations back
        # (a killed page would hold them until they expire, and the local coturn has few relay ports).
        for page in (self.patient, self.doctor):
            with contextlib.suppress(Exception):
                page.locator("[data-test='hang-up']").click(timeout=3000)
                if page.locator("[data-test='room-end-dialog']").is_visible():  # the doctor: only leave the call
                    page.locator("[data-test='room-leave-only']").click(timeout=3000)
        time.sleep(0.5)
        for context in self.contexts:
            context.close()
        time.sleep(0.5)  # the server sees both sockets go before the next pair comes


def measure() -> list[Row]:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-video-"))
    started = time.monotonic()
    clip = write_clip(work / "clip.y4m")
    generated = time.monotonic() - started
    stack = start_stack(work, {"LOCAL_DROP_IN_MINUTES": "1", "ROOM_GRACE_MINUTES": "1"})
    try:
        registrar = signed_in(stack.url, "registrar@clinic.local", "demo-password")
        from tests.api.test_rooms_over_http import paid_drop_in

        first_room = paid_drop_in(stack.url, registrar)
        second_room = paid_drop_in(stack.url, registrar)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=[*FLAGS, f"--use-file-for-fake-video-capture={clip}"]
            )
            try:
                _wait(lambda: _room_open(stack.url, first_room), 150, "the first room did not open")
                times: dict[str, list[float]] = {"p2p": [], "relay": []}
                for _ in range(RUNS):
                    for kind in ("p2p", "relay"):
                        call = _Call(browser, stack.url, first_room, "relay=1" if kind == "relay" else "")
                        times[kind].append(call.first_frame_seconds())
                        call.close()

                _wait(lambda: _room_open(stack.url, second_room), 150, "the second room did not open")
                sent: dict[int, float] = {}
                received: dict[int, tuple[float, float]] = {}
                for cap in (640000, 128000):
                    call = _Call(browser, stack.url, second_room, f"bitrate={cap}")
                    time.sleep(WARM_UP)  # the bandwidth estimate ramps up and the encoder settles on a size
                    before = call.stats(call.patient)
                    heights, rates = [], []
                    for _ in range(10):
                        time.sleep(1)
                        seen = call.stats(call.doctor)
                        heights.append(seen["inHeight"])
                        rates.append(seen["inFps"])
                    after = call.stats(call.patient)
                    sent[cap] = (after["videoBytesSent"] - before["videoBytesSent"]) * 8 / (after["at"] - before["at"])
                    received[cap] = (median(heights), median(rates))
                    call.close()
            finally:
                browser.close()
    finally:
        stop_stack(stack)
        shutil.rmtree(work, ignore_errors=True)

    def within(cap_kbps: float, share: float = 0.05) -> tuple[str, Callable[[float], bool]]:
        low, high = cap_kbps * (1 - share), cap_kbps * (1 + share)
        return f"{low:g}–{high:g}", lambda value: low <= value <= high

    return [
        row("video: 1080p camera clip generated (Y4M, 2.5 s)", generated, "s", at_most(20)),
        row(
            f"video: both present → first remote frame, P2P, median of {RUNS}", median(times["p2p"]), "s", at_most(0.5)
        ),
        row(
            f"video: both present → first remote frame, TURN relay, median of {RUNS}",
            median(times["relay"]),
            "s",
            at_most(0.6),
        ),
        row("video: sent bitrate over 10 s, 640 kbit/s cap", sent[640000], "kbit/s", within(640)),
        row("video: sent bitrate over 10 s, 128 kbit/s cap", sent[128000], "kbit/s", within(128)),
        row(
            "video: received height at the 128 kbit/s cap (median over 10 s)", received[128000][0], "px", at_least(360)
        ),
        row(
            "video: received frame rate at the 128 kbit/s cap (median over 10 s)",
            received[128000][1],
            "fps",
            at_least(25),
        ),
    ]


if __name__ == "__main__":
    from bench.harness import report

    print(report(measure()))
    print(dt.datetime.now().isoformat(timespec="seconds"))
