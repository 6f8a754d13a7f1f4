"""The receipts of one consultation, as its patient sees them: a new patient (the registry opened the card) signs the
documents required before booking on the one screen, books the demo therapist's next drop-in time, pays on YooKassa's
page (the local emulator); the doctor signs the conclusion (through the API) once the consultation has started; later
the booking's page lists «Чек предоплаты» and «Чек об оказании услуги», both emailed, and says where they arrive.
The emulator's own record of the payment's receipts is printed: the receipt sequence of one consultation."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from local.client import signed_in
from tests.browser.test_accounts_flow import DEMO_PASSWORD, watch_errors
from tests.browser.test_booking_flow import api, fresh_patient
from tests.browser.test_payment_flow import choose_time, next_drop_in

DOCTOR = "doctor@clinic.local"
DOCTOR_NAME = "Иванов Сергей Николаевич"
SHOP, SECRET = "100001", "local_emulator_secret_key"  # the local stage's YooKassa credentials (.chalice/config.json)


def sign_conclusion_once_started(url: str, booking_id: str, starts_at: dt.datetime) -> dict:
    """The doctor signs as soon as the consultation has started (before its start the server says it is not ready)."""
    doctor = signed_in(url, DOCTOR, DEMO_PASSWORD)
    body = {"complaints": "Слабость по утрам.", "conclusion": "Астенический синдром.", "recommendations": "Режим сна."}
    deadline = time.monotonic() + max(0.0, (starts_at - dt.datetime.now(dt.UTC)).total_seconds()) + 60
    answer = None
    while time.monotonic() < deadline:
        answer = doctor.post(f"/bookings/{booking_id}/conclusion", body)
        if not (answer.status == 409 and answer.json["error"]["code"] == "conclusion_not_ready"):
            break
        time.sleep(0.5)
    assert answer is not None and answer.status == 201, answer and (answer.status, answer.json)
    return answer.json


def wait_for(predicate, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    return predicate()


@pytest.mark.timeout(420)
def test_the_patient_sees_the_prepayment_and_the_closing_receipt(stack, page: Page, browser: Browser) -> None:
    url = stack.url
    errors = watch_errors(page)
    fresh_patient(browser, page, url, f"Чекова Вера {uuid.uuid4().hex[:6]}")

    # Enough time ahead for the wizard, the documents and the payment on this busy machine.
    slot = next_drop_in(url, dt.timedelta(seconds=150))
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Запись к врачу").click()
    page.get_by_role("link", name="Воспользоваться сервисом").click()
    page.locator("[data-test='specialty']").filter(has_text="Терапия").click()
    page.locator("[data-test='doctor']").filter(has_text=DOCTOR_NAME).get_by_role(
        "button", name=re.compile("Выбрать")
    ).click()
    choose_time(page, slot)

    # A new patient: «Подтвердить запись» opens every document required before booking on one screen, one «Подписать».
    page.get_by_role("button", name="Подтвердить запись").click()
    expect(page.get_by_role("heading", name="Прочитайте и подпишите документы")).to_be_visible()
    readers = page.locator("[data-test^='reader-']")
    expect(readers.first).to_be_visible()
    status, documents = api(page, "GET", "/legal-documents")
    assert status == 200, documents
    required = [d["kind"] for d in documents if d.get("required_before_booking", True)]
    for kind in required:
        expect(page.locator(f"[data-test='reader-{kind}']")).to_be_visible()
    expect(page.get_by_role("button", name="Подписать")).to_have_count(1)
    page.get_by_role("button", name="Подписать").click()

    expect(page).to_have_url(re.compile(r"/booking\?step=summary&booking="), timeout=30000)
    booking_id = re.search(r"booking=([0-9a-f]+)", page.url).group(1)
    page.get_by_role("button", name="Оплатить", exact=True).click()
    page.wait_for_url(re.compile(r"/checkout/"))
    yookassa = page.url.split("/checkout/")[0] + "/v3"
    page.get_by_role("button", name=re.compile(r"^Оплатить")).click()
    expect(page.locator("[data-test='paid']").get_by_role("heading", name="Оплата прошла")).to_be_visible(timeout=30000)

    # Paid: the prepayment receipt, emailed by YooKassa; nothing closed before the service is rendered.
    page.goto(f"{url}/bookings/{booking_id}")
    receipts = page.locator("[data-test='receipts']")
    expect(receipts.get_by_role("heading", name="Чеки")).to_be_visible()
    expect(receipts.locator("[data-test='receipt']")).to_have_count(1)
    expect(receipts.locator("[data-test='receipt'][data-kind='prepayment']")).to_contain_text("Чек предоплаты")

    # The consultation: the doctor signs the conclusion once it has started.
    status, booking = api(page, "GET", f"/bookings/{booking_id}")
    assert status == 200 and booking["status"] == "paid", booking
    signed = sign_conclusion_once_started(url, booking_id, dt.datetime.fromisoformat(booking["starts_at"]))
    assert signed["status"] == "signed", signed

    # Later, on the booking's page: both receipts, emailed, each with its time in the clinic's zone.
    def closed() -> bool:
        status, shown = api(page, "GET", f"/bookings/{booking_id}")
        return status == 200 and [(r["kind"], r["status"]) for r in shown["receipts"]] == [
            ("prepayment", "succeeded"),
            ("closing", "succeeded"),
        ]

    assert wait_for(closed), api(page, "GET", f"/bookings/{booking_id}")
    page.reload()
    rows = receipts.locator("[data-test='receipt']")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Чек предоплаты")
    expect(rows.nth(1)).to_contain_text("Чек об оказании услуги")
    for n in range(2):
        expect(rows.nth(n).locator("[data-test='receipt-status']")).to_have_text("отправлен на почту")
        expect(rows.nth(n)).to_contain_text("(МСК)")
    expect(receipts.locator("[data-test='receipts-where']")).to_contain_text(booking["email"])
    expect(receipts.locator("[data-test='receipts-where']")).to_contain_text("ЮKassa")

    # YooKassa's own record of the payment's receipts (the emulator's receipts API).
    listed = requests.get(
        f"{yookassa}/receipts", params={"payment_id": booking["payment_id"]}, auth=(SHOP, SECRET), timeout=10
    ).json()["items"]
    sequence = [
        {
            "payment_mode": [i["payment_mode"] for i in r["items"]],
            "settlements": [(s["type"], s["amount"]["value"]) for s in r["settlements"]],
            "status": r["status"],
        }
        for r in listed
    ]
    print(
        "\nreceipts of the consultation at YooKassa:\n" + "\n".join(json.dumps(r, ensure_ascii=False) for r in sequence)
    )
    assert [(r["payment_mode"], r["settlements"][0][0]) for r in sequence] == [
        (["full_prepayment"], "cashless"),
        (["full_payment"], "prepayment"),
    ]
    assert errors == []
