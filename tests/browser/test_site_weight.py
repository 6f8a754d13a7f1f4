"""A lighter site: pages are chunks fetched when opened, the local server sends them gzip, and a visitor's
pages open without script errors or failed requests."""

from __future__ import annotations

import gzip
import re
import urllib.request

PUBLIC_PAGES = {
    "/": None,
    "/login": "Вход в личный кабинет",
    "/request": None,
    "/booking": None,
    "/verify": None,
    "/forgot-password": None,
}


def _get(url: str, accept_encoding: str | None) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept_encoding} if accept_encoding else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


def test_the_local_server_sends_the_javascript_gzip_to_a_browser_that_accepts_it(stack) -> None:
    _, html = _get(stack.url + "/", None)
    entry = re.search(rb'<script type="module"[^>]* src="(/assets/[^"]+\.js)"', html)
    assert entry, html[:500]
    url = stack.url + entry.group(1).decode()

    headers, packed = _get(url, "gzip, deflate, br")
    plain_headers, plain = _get(url, None)

    assert headers.get("content-encoding") == "gzip"
    assert headers.get("vary") == "Accept-Encoding"
    assert gzip.decompress(packed) == plain
    assert len(packed) < len(plain) / 2
    # Without Accept-Encoding the file comes as it is, and caches are still told the answer varies.
    assert "content-encoding" not in plain_headers
    assert plain_headers.get("vary") == "Accept-Encoding"
    assert "javascript" in headers.get("content-type", "")


def test_the_home_page_fetches_no_other_page_and_the_next_page_comes_when_opened(stack, page) -> None:
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(stack.url + "/", wait_until="networkidle")
    assert page.get_by_role("heading", level=1).first.is_visible()
    fetched = " ".join(scripts)
    assert "RoomView" not in fetched and "RequestView" not in fetched and "/en-" not in fetched, scripts

    page.goto(stack.url + "/request")
    page.locator("main h1").first.wait_for()
    assert any("RequestView" in url for url in scripts), scripts


def test_a_visitors_pages_open_without_script_errors_or_failed_requests(stack, page) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    # A visitor's GET /api/session is answered 200 with no user: no error of any kind in the console.
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
    for path, heading in PUBLIC_PAGES.items():
        page.goto(stack.url + path, wait_until="networkidle")
        h1 = page.locator("main h1").first
        h1.wait_for()
        if heading:
            assert heading in h1.inner_text()
    assert problems == []


def test_the_lazy_pages_styles_reach_the_browser(stack, page) -> None:
    """A page fetched when opened brings no stylesheet of its own (Vite's preload helper gets no CSS list under
    the ES2017 build): the site's one stylesheet carries every page's rules, the schedule's and the mail's too."""
    page.goto(stack.url + "/", wait_until="networkidle")
    selectors = page.evaluate(
        """() => [...document.styleSheets].flatMap((sheet) =>
            [...sheet.cssRules].map((rule) => rule.selectorText || '').filter(Boolean))"""
    )
    text = " ".join(selectors)
    assert ".schedule__day" in text
    assert ".mail__" in text, "the mail page's rules are missing"
