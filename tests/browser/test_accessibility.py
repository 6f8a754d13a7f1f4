"""Accessibility (ГОСТ Р 52872-2019 / WCAG 2.2 AA) of every page, as the person who uses it: axe-core's WCAG 2.x A/AA
and 2.2 rules at the desktop (1366x768) and the phone (390x844) width with no critical or serious violation; no
horizontal scrolling at 200% zoom (a 683 CSS px wide window is 1366 px at 200%); every pointer target at least
24x24 CSS px or spaced as 2.5.8 allows; the hold countdown read out politely at its minutes and last seconds, not
every second (2.2.1). The video room's lobby and call run first: the drop-in booking's room opens 40–100 s later.

One local stack and one signed-in browser context per person for the whole module (axe-core is injected as a
script, so the contexts bypass the site's Content-Security-Policy)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from local.client import HttpApi, signed_in
from tests.api.test_rooms_over_http import _pay, paid_drop_in
from tests.browser.test_accounts_flow import DEMO_PASSWORD, REGISTRAR

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ZOOMED = {"width": 683, "height": 384}  # 1366x768 at 200%
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
PEOPLE = {
    "patient": None,  # the drop-in booking's own patient (made by the scene)
    "doctor": "doctor@clinic.local",
    "registrar": REGISTRAR,
    "admin": "admin@clinic.local",
}
OPENING = 150_000  # ms: the drop-in slot starts 40–100 s after booking and its room opens then

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary || ''})),
  }))
}"""

# Pointer targets smaller than 24x24 CSS px, unless inline in a line of text or spaced (a 24 px circle on the
# target's centre meets no other target, nor the circle of another small one): WCAG 2.2 SC 2.5.8.
SMALL_TARGETS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], ' +
    '[role=link], [role=checkbox], [role=radio], [role=tab], [role=switch], [tabindex]:not([tabindex="-1"])'
  const shown = (el) => {
    const r = el.getBoundingClientRect()
    if (r.width < 1 || r.height < 1) return false
    for (let node = el; node; node = node.parentElement) {
      const s = getComputedStyle(node)
      if (s.visibility === 'hidden' || s.display === 'none' || s.clipPath === 'inset(50%)' ||
          s.clip === 'rect(0px, 0px, 0px, 0px)') return false
    }
    return true
  }
  const inline = (el) => {
    if (getComputedStyle(el).display !== 'inline') return false
    const block = el.parentElement
    return block && block.textContent.trim().length > el.textContent.trim().length
  }
  const targets = [...document.querySelectorAll(selector)].filter(shown).map((el) => {
    const r = el.getBoundingClientRect()
    return {el, r, cx: r.left + r.width / 2, cy: r.top + r.height / 2, small: r.width < 23.5 || r.height < 23.5}
  })
  const distanceToRect = (x, y, r) =>
    Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom))
  const name = (el) => {
    const id = el.getAttribute('data-test') || el.id || el.getAttribute('aria-label') || el.textContent.trim()
    return `${el.tagName.toLowerCase()} «${(id || '').slice(0, 40)}»`
  }
  return targets.filter((t) => t.small && !inline(t.el)).filter((t) => targets.some((o) => o !== t &&
    !o.el.contains(t.el) && !t.el.contains(o.el) &&
    (distanceToRect(t.cx, t.cy, o.r) < 12 || (o.small && Math.hypot(t.cx - o.cx, t.cy - o.cy) < 24))
  )).map((t) => `${name(t.el)}: ${Math.round(t.r.width)}x${Math.round(t.r.height)} px`)
}"""


@dataclass
class Scene:
    url: str
    visit: dict[str, Any]
    contexts: dict[str, BrowserContext] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)

    def page(self, person: str) -> Page:
        context = self.contexts[person]
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(15000)
        return page


def new_context(browser: Browser) -> BrowserContext:
    return browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP, bypass_csp=True)


def sign_in_context(context: BrowserContext, url: str, login: str, password: str) -> None:
    response = context.request.post(f"{url}/api/auth/login", data={"login": login, "password": password})
    assert response.ok, response.text()


@pytest.fixture(scope="module")
def scene(stack: Any, browser: Browser) -> Iterator[Scene]:
    """A paid drop-in consultation (its room opens within two minutes), a held booking with the cardiologist for
    the wizard's later steps, and a browser context for each person."""
    url = stack.url
    visit = paid_drop_in(url, signed_in(url, REGISTRAR, DEMO_PASSWORD))
    patient: HttpApi = visit["patient"]
    cardiologist = next(d for d in HttpApi(url).get("/doctors").json if d["specialty"]["id"] == "cardiology")
    slots = HttpApi(url).get(f"/doctors/{cardiologist['id']}/slots").json
    assert len(slots) >= 3, slots
    held = patient.post("/bookings", {"slot_id": slots[0]["id"]})
    assert held.status == 201, held.json
    # A paid consultation days ahead: its page offers «Документы для врача» (the file input) all along.
    paid = patient.post("/bookings", {"slot_id": slots[-1]["id"]})
    assert paid.status == 201, paid.json
    _pay(patient.post(f"/bookings/{paid.json['id']}/payment").json["confirmation_url"])
    wizard = f"/booking?specialty=cardiology&doctor={cardiologist['id']}"
    found = Scene(url, visit)
    found.paths = {
        "wizard-confirm": f"{wizard}&step=confirm&day={slots[1]['starts_at'][:10]}&slot={slots[1]['id']}",
        "wizard-time": f"{wizard}&step=time",
        "wizard-summary": f"/booking?step=summary&booking={held.json['id']}",
        "wizard-payment": f"/booking?step=payment&booking={held.json['id']}",
        "booking-detail": f"/bookings/{paid.json['id']}",
        "consultation": f"/doctor/consultations/{visit['booking']['id']}",
    }
    found.contexts["anonymous"] = new_context(browser)
    for person, login in PEOPLE.items():
        context = new_context(browser)
        if login is None:
            sign_in_context(context, url, str(patient.email), str(patient.password))
        else:
            sign_in_context(context, url, login, DEMO_PASSWORD)
        found.contexts[person] = context
    # The doctor's day would take the doctor into the drop-in's room by itself (once per room): already been.
    found.contexts["doctor"].add_init_script(
        f"localStorage.setItem('telemed.roomsEntered', {json.dumps(json.dumps([visit['room_id']]))})"
    )
    yield found
    for context in found.contexts.values():
        context.close()


@dataclass(frozen=True)
class Screen:
    """A page as `person` sees it; `ready`: a selector shown once its content has loaded."""

    name: str
    person: str
    path: str | Callable[[Scene], str]
    ready: str = "main h1"

    def address(self, scene: Scene) -> str:
        return scene.url + (self.path if isinstance(self.path, str) else self.path(scene))


SCREENS = [
    Screen("home", "anonymous", "/"),
    Screen("login", "anonymous", "/login", "form"),
    Screen("forgot-password", "anonymous", "/forgot-password", "form"),
    Screen("request", "anonymous", "/request", "form"),
    Screen("verify", "anonymous", "/verify", "[data-test='verify-choose']"),
    Screen("booking-intro", "anonymous", "/booking", "main ol"),
    Screen("cabinet", "patient", "/cabinet", "[data-test='cabinet-name']"),
    Screen("personal", "patient", "/cabinet/personal", "main:has([data-test='copy']):has([data-test='sms-state'])"),
    Screen("bookings", "patient", "/bookings", "[data-test='booking']"),
    Screen("booking-detail", "patient", lambda s: s.paths["booking-detail"], "[data-test='documents']"),
    Screen("wizard-specialty", "patient", "/booking?step=specialty", "[data-test='specialty']"),
    Screen("wizard-doctor", "patient", "/booking?step=doctor&specialty=cardiology", "[data-test='doctor']"),
    Screen("wizard-time", "patient", lambda s: s.paths["wizard-time"], "[data-test='time']"),
    Screen("wizard-confirm", "patient", lambda s: s.paths["wizard-confirm"], "[data-test='fact-when']"),
    Screen("wizard-summary", "patient", lambda s: s.paths["wizard-summary"], "[data-test='hold-countdown']"),
    Screen("wizard-payment", "patient", lambda s: s.paths["wizard-payment"], "[data-test='hold-countdown']"),
    Screen("doctor-day", "doctor", "/doctor/today", "[data-test='consultation']"),
    Screen("consultation", "doctor", lambda s: s.paths["consultation"], "[data-test='consultation-patient']"),
    Screen("schedule", "doctor", "/schedule", "[data-test='add-hours']"),
    Screen("registry-requests", "registrar", "/registry/requests", "main h1"),
    Screen("registry-new-patient", "registrar", "/registry/patients/new", "form"),
    Screen("registry-find-patient", "registrar", "/registry/patients/find", "form"),
    Screen("registry-mail", "registrar", "/registry/mail", "main h2"),
    Screen("audit", "admin", "/admin/audit", "[data-test='audit-date']"),
    Screen("reconciliation", "admin", "/admin/reconciliation", "[data-test='reconciliation-form']"),
]


def settle(page: Page, ready: str) -> None:
    """The page's own content is there and nothing is still loading."""
    expect(page.locator(ready).first).to_be_visible(timeout=20000)
    expect(page.locator("[role=status]", has_text=re.compile("Загрузка|Открываем"))).to_have_count(0, timeout=20000)
    page.evaluate("document.fonts.ready.then(() => true)")


def open_screen(scene: Scene, screen: Screen, viewport: dict[str, int]) -> Page:
    page = scene.page(screen.person)
    page.set_viewport_size(viewport)
    page.goto(screen.address(scene), wait_until="domcontentloaded", timeout=30000)
    settle(page, screen.ready)
    return page


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, TAGS)
    return [v for v in found if v["impact"] in ("critical", "serious")]


def report(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{where}: {len(violations)} critical/serious axe-core violation(s)"]
    for violation in violations:
        lines.append(f"- {violation['impact']} {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary}")
    text = "\n".join(lines)
    print(text)
    return text


def assert_accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, report(where, violations)


# What sticks out past the window's right edge: the outermost such elements, to name the culprit.
WIDE = """() => {
  const width = document.documentElement.clientWidth
  const wide = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > width + 0.5)
  return wide.filter((el) => !wide.includes(el.parentElement)).slice(0, 5).map((el) => {
    const named = typeof el.className === 'string' && el.className
    const classes = named ? '.' + el.className.trim().split(/\\s+/).join('.') : ''
    return `${el.tagName.toLowerCase()}${classes} (${Math.round(el.getBoundingClientRect().width)} px)`
  })
}"""


def assert_no_horizontal_scroll(page: Page, where: str) -> None:
    page.set_viewport_size(ZOOMED)
    sizes = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert sizes["scroll"] <= sizes["client"], f"{where} at 200% zoom scrolls sideways: {sizes}, {page.evaluate(WIDE)}"


def assert_targets(page: Page, where: str) -> None:
    small = page.evaluate(SMALL_TARGETS)
    assert not small, f"{where}: pointer targets under 24x24 CSS px without the spacing: {small}"


@pytest.mark.timeout(420)
def test_room_lobby_and_call_are_accessible(scene: Scene) -> None:
    """The patient's lobby by the emailed link, then the call with the doctor in it."""
    visit = scene.visit
    patient = scene.page("anonymous")
    patient.goto(f"{scene.url}/room/{visit['room_id']}#token={visit['token']}")
    room = patient.locator("[data-test='room']")
    expect(room).to_have_attribute("data-phase", "lobby")
    expect(patient.locator("[data-test='check-camera']")).to_contain_text("Камера работает")
    for name, viewport in VIEWPORTS.items():
        patient.set_viewport_size(viewport)
        assert_accessible(patient, f"room lobby ({name})")
    assert_no_horizontal_scroll(patient, "room lobby")
    patient.set_viewport_size(DESKTOP)
    assert_targets(patient, "room lobby")

    doctor = scene.page("doctor")
    doctor.goto(f"{scene.url}/room/{visit['room_id']}")
    for page in (patient, doctor):
        expect(page.locator("[data-test='room']")).to_have_attribute("data-phase", "open", timeout=OPENING)
        expect(page.locator("[data-test='call-status']")).to_have_text("Соединение установлено", timeout=20000)
    for page, who in ((patient, "patient"), (doctor, "doctor")):
        for name, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            assert_accessible(page, f"call, the {who}'s side ({name})")
    assert_no_horizontal_scroll(patient, "call")
    patient.set_viewport_size(DESKTOP)
    assert_targets(patient, "call")
    for page in (patient, doctor):
        page.goto("about:blank")  # leaves the room (its own tests cover «Завершить»)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_axe_finds_nothing_critical_or_serious(scene: Scene, screen: Screen, viewport: str) -> None:
    page = open_screen(scene, screen, VIEWPORTS[viewport])
    assert_accessible(page, f"{screen.name} ({viewport}, as {screen.person})")


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_no_horizontal_scroll_at_200_percent_zoom(scene: Scene, screen: Screen) -> None:
    page = open_screen(scene, screen, ZOOMED)
    assert_no_horizontal_scroll(page, screen.name)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_pointer_targets_are_at_least_24_px(scene: Scene, screen: Screen, viewport: str) -> None:
    page = open_screen(scene, screen, VIEWPORTS[viewport])
    assert_targets(page, f"{screen.name} ({viewport})")


def minutes(countdown: str) -> str:
    found = re.search(r"(\d+) мин", countdown)
    return found.group(1) if found else "0"


def test_hold_countdown_is_announced_politely_at_its_minutes_not_every_second(scene: Scene) -> None:
    """The visible timer ticks every second; what a screen reader hears (a polite live region) changes only when
    the minute changes (and in the last 30 s), so it does not talk over the page."""
    screen = next(s for s in SCREENS if s.name == "wizard-summary")
    page = open_screen(scene, screen, DESKTOP)
    countdown = page.locator("[data-test='hold-countdown']")
    live = countdown.locator("[aria-live]")
    expect(live).to_have_count(1)
    expect(live).to_have_attribute("aria-live", "polite")
    timer = page.locator("[data-test='hold-left']")
    assert page.evaluate("(el) => !el.closest('[aria-live=polite], [aria-live=assertive]')", timer.element_handle()), (
        "the ticking timer itself must not be inside a live region"
    )
    said = live.inner_text().strip()
    assert re.fullmatch(r"На оплату осталось: \d+ (минута|минуты|минут)\.", said), said
    seen: list[tuple[str, str]] = [(timer.inner_text(), said)]
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=10)
    while len(seen) < 4 and dt.datetime.now(dt.UTC) < deadline:
        expect(timer).not_to_have_text(seen[-1][0], timeout=3000)
        seen.append((timer.inner_text(), live.inner_text().strip()))
    assert len(seen) == 4, seen
    for (shown, heard), (next_shown, next_heard) in itertools.pairwise(seen):
        if minutes(shown) == minutes(next_shown):
            assert heard == next_heard, f"the live region changed within a minute: {seen}"
