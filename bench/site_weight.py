"""The site's weight and speed on a phone, on the local stack (the built frontend/dist, served gzip).

- Initial JS: the page is opened in Debian chromium (playwright) and the JS files it fetches until the network
  is quiet are summed by their bytes on the wire (gzip, as the local server and CloudFront send them). Measured
  in the browser rather than from Vite's manifest, because what counts is what a visitor downloads: the entry,
  its static imports, the page's lazy chunk and its words, fetched by the router before the page shows.
  `/room/<id>#token=…` opens the room page as a patient's emailed link does (a made-up room: the page's code is
  the same, the API then says the link does not work).
- Lighthouse 12 (npm, frontend/node_modules) with Debian chromium, mobile preset (simulated slow 4G and a 4x
  slower CPU), performance only: the score, largest contentful paint, total blocking time and bytes of `/`,
  the median of three runs. The score depends on the machine's load: the 1-minute load average is a row too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import ROOT, Row, at_least, at_most, median, row
from local.process import start_stack, stop_stack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LIGHTHOUSE = ROOT / "frontend" / "node_modules" / ".bin" / "lighthouse"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
RUNS = 3
ROOM = "/room/r-bench#token=bench-link-token"
INFO = ("info", lambda value: True)


def initial_js_kb(url: str) -> float:
    """KB (gzip, on the wire) of the JavaScript the page fetches until the network has been quiet for 0.5 s."""
    from playwright.sync_api import sync_playwright

    sizes: list[int] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_context(locale="ru-RU").new_page()
            page.on(
                "requestfinished",
                lambda request: (
                    sizes.append(request.sizes()["responseBodySize"]) if request.resource_type == "script" else None
                ),
            )
            page.goto(url, wait_until="networkidle", timeout=120_000)
            page.wait_for_function("document.querySelector('main') && document.querySelector('main').innerText.trim()")
        finally:
            browser.close()
    if not sizes:
        raise RuntimeError(f"{url}: no JavaScript fetched")
    return sum(sizes) / 1024


def lighthouse(url: str, out: Path) -> dict[str, Any]:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=performance",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox",
        ],
        env=env,
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    return {
        "score": report["categories"]["performance"]["score"] * 100,
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "bytes_kb": audits["total-byte-weight"]["numericValue"] / 1024,
    }


def measure() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        running = start_stack(Path(tmp), within_s=300)
        try:
            home_js = initial_js_kb(running.url + "/")
            room_js = initial_js_kb(running.url + ROOM)
            loads, runs = [], {"/": [], "/login": []}
            for i in range(RUNS):
                for path, results in runs.items():
                    loads.append(os.getloadavg()[0])
                    results.append(lighthouse(running.url + path, Path(tmp) / f"lh-{i}-{path.strip('/')}.json"))
        finally:
            stop_stack(running)

    def mid(path: str, key: str) -> float:
        return median([r[key] for r in runs[path]])

    return [
        row("initial JS of / (gzip, as fetched by chromium)", home_js, "KB", at_most(90)),
        row("initial JS of /room/<id> (gzip, as fetched by chromium)", room_js, "KB", at_most(110)),
        row("Lighthouse mobile performance of / (median of 3)", mid("/", "score"), "score", at_least(90)),
        row("Lighthouse mobile performance of /login (median of 3)", mid("/login", "score"), "score", at_least(90)),
        row("largest contentful paint of / (Lighthouse mobile, median of 3)", mid("/", "lcp_s"), "s", INFO),
        row("total blocking time of / (Lighthouse mobile, median of 3)", mid("/", "tbt_ms"), "ms", INFO),
        row("total transfer of / (Lighthouse mobile, median of 3)", mid("/", "bytes_kb"), "KB", INFO),
        row("machine load during the Lighthouse runs (1-min average, median)", median(loads), "load", INFO),
    ]
