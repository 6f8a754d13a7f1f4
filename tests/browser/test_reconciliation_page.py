"""«Сверка с ЮKassa» in the browser, on the local stack: the admin finds it in the menu, runs a quiet past day
(«Расхождений нет») and today after YooKassa took a payment for no booking (the row says what it is and what to do)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.error
import urllib.request
import uuid

from playwright.sync_api import Page, expect

from local.client import HttpApi, new_patient, signed_in
from tests.api.test_rooms_over_http import _pay
from tests.browser.test_accounts_flow import DEMO_PASSWORD, REGISTRAR, sign_in, watch_errors

ADMIN = "admin@clinic.local"
SHOP, SECRET = "100001", "local_emulator_secret_key"  # the local stage's YooKassa credentials (.chalice/config.json)


def emulator_url(url: str) -> str:
    """The stack's YooKassa, found where a payment sends the patient (it listens on a port of its own)."""
    patient = new_patient(url, signed_in(url, REGISTRAR, DEMO_PASSWORD))
    doctor = next(d for d in HttpApi(url).get("/doctors").json if d["specialty"]["id"] == "therapy")
    slot = HttpApi(url).get(f"/doctors/{doctor['id']}/slots").json[-1]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    confirmation = patient.post(f"/bookings/{booking['id']}/payment").json["confirmation_url"]
    return confirmation.split("/checkout/")[0]


def stray_payment(base: str) -> str:
    """A payment YooKassa takes for a booking the clinic does not have (its notification is refused)."""
    body = {
        "amount": {"value": "777.00", "currency": "RUB"},
        "confirmation": {"type": "redirect", "return_url": base},
        "metadata": {"booking_id": "no-such-booking"},
    }
    request = urllib.request.Request(
        base + "/v3/payments",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Idempotence-Key": uuid.uuid4().hex,
            "Authorization": "Basic " + base64.b64encode(f"{SHOP}:{SECRET}".encode()).decode(),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        payment = json.loads(response.read())
    _pay(payment["confirmation"]["confirmation_url"])
    return str(payment["id"])


def run_for(page: Page, first: str, last: str) -> None:
    page.get_by_label("С (сутки по UTC)").fill(first)
    page.get_by_label("По (включительно)").fill(last)
    page.get_by_role("button", name="Сверить", exact=True).click()


def test_the_admin_runs_a_quiet_day_and_today_with_a_stray_payment(stack, page: Page) -> None:
    errors = watch_errors(page)
    sign_in(page, stack.url, ADMIN, DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Выйти")).to_be_visible(timeout=30000)
    page.locator("[data-test='nav-reconciliation']").click()
    expect(page.get_by_role("heading", name="Сверка с ЮKassa", level=1)).to_be_visible()

    run_for(page, "2026-01-01", "2026-01-01")
    latest = page.locator("[data-test='reconciliation-run']").first
    expect(latest.locator("[data-test='reconciliation-period']")).to_have_text(
        "Период: 1 января 2026 г.", timeout=30000
    )
    expect(latest.locator("[data-test='reconciliation-clean']")).to_have_text(
        "Расхождений нет: записи клиники и ЮKassa совпадают."
    )

    payment_id = stray_payment(emulator_url(stack.url))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    run_for(page, today, today)
    latest = page.locator("[data-test='reconciliation-run']").first
    row = latest.locator("[data-test='reconciliation-difference']", has_text=payment_id)
    expect(row).to_have_count(1, timeout=30000)
    expect(row.locator("[data-test='reconciliation-kind']")).to_have_text("Платёж есть в ЮKassa, но не отмечен у нас")
    expect(row.locator("[data-test='reconciliation-what']")).to_contain_text(f"Платёж {payment_id} (777.00 RUB)")
    expect(latest.locator("[data-test='reconciliation-count']")).to_contain_text("Найдено расхождений:")
    assert errors == []
