"""Documents and the conclusion through the real UI, as the seed describes them: before the consultation the
patient sends results (a PDF goes straight to the storage with a progress bar; a "PDF" that is really text is refused
with the server's reason); from the start the doctor reads them on the consultation page, writes the conclusion (the
draft saves itself), signs and sends it; the patient downloads the signed PDF, /verify says it is valid and that a copy
with one byte changed is not; the admin's access log lists the doctor's reads."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from websockets.sync.client import connect

from local.client import HttpApi, signed_in
from tests.api.test_rooms_over_http import paid_drop_in
from tests.browser.test_accounts_flow import DEMO_PASSWORD, REGISTRAR, email_to, new_page, sign_in, watch_errors

DOCTOR = "doctor@clinic.local"
DOCTOR_NAME = "Иванов Сергей Николаевич"
ADMIN = "admin@clinic.local"


def small_pdf(text: str) -> bytes:
    """A real one-page PDF with correct cross-references (a few hundred bytes)."""
    content = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def patient_with_password(url: str) -> tuple[dict[str, Any], str]:
    """paid_drop_in's patient, with a password of our own through «Забыли пароль?»'s emailed link."""
    visit = paid_drop_in(url, signed_in(url, REGISTRAR, DEMO_PASSWORD))
    anonymous = HttpApi(url)
    assert anonymous.post("/auth/password-reset", {"email": visit["email"]}).status == 202
    deadline = time.monotonic() + 10
    token = None
    while token is None and time.monotonic() < deadline:
        for mail in anonymous.get("/dev/outbox").json:
            match = re.search(r"/reset-password#token=(\S+)", mail["text"]) if mail["to"] == [visit["email"]] else None
            if match:
                token = match.group(1)
                break
        else:
            time.sleep(0.2)
    assert token, "no reset link in the outbox"
    password = f"Ясный день {uuid.uuid4().hex[:6]}"
    answer = anonymous.post("/auth/password-reset/confirm", {"token": token, "new_password": password})
    assert answer.status == 204, answer.body
    return visit, password


def csp_violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    return found


def doctor_joins_room(url: str, room_id: str) -> Any:
    """The doctor in the room's signaling (as the room page does), so that the close does not refund the booking."""
    doctor = signed_in(url, DOCTOR, DEMO_PASSWORD)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        answer = doctor.get(f"/rooms/{room_id}")
        if answer.status == 200 and answer.json["status"] in ("lobby", "open"):
            ws = connect(answer.json["signaling_url"], open_timeout=5)
            ws.send(json.dumps({"action": "join"}))
            return ws
        time.sleep(1)
    raise AssertionError("the room never opened its lobby")


def wait_for_room_open(url: str, room_id: str, starts_at: dt.datetime) -> None:
    """The consultation has started: the booking timer opened its room (at its start, not before)."""
    doctor = signed_in(url, DOCTOR, DEMO_PASSWORD)
    deadline = time.monotonic() + max(0.0, (starts_at - dt.datetime.now(dt.UTC)).total_seconds()) + 60
    status = None
    while time.monotonic() < deadline:
        answer = doctor.get(f"/rooms/{room_id}")
        status = answer.json["status"] if answer.status == 200 else answer.status
        if status == "open":
            return
        time.sleep(0.5)
    raise AssertionError(f"the room did not open at its start ({starts_at}): {status}")


def upload(page: Page, name: str, data: bytes) -> Any:
    before = page.locator("[data-test='upload']").count()
    page.locator("[data-test='documents-input']").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": data}
    )
    item = page.locator("[data-test='upload']").nth(before)
    expect(item).to_contain_text(name)
    expect(item).to_have_attribute("data-state", re.compile(r"^(done|rejected)$"), timeout=30000)
    return item


@pytest.mark.timeout(420)
def test_documents_conclusion_verification_and_audit(stack, page: Page, browser: Browser) -> None:
    url = stack.url
    errors = watch_errors(page)
    blocked = csp_violations(page)
    visit, password = patient_with_password(url)
    booking_id = visit["booking"]["id"]
    starts_at = dt.datetime.fromisoformat(visit["booking"]["starts_at"])

    # The patient, before the consultation: «Документы для врача» on the booking's page.
    sign_in(page, url, visit["email"], password)
    expect(page).to_have_url(re.compile(r"/cabinet$"))
    page.goto(f"{url}/bookings/{booking_id}")
    documents = page.locator("[data-test='documents']")
    expect(documents.get_by_role("heading", name="Документы для врача")).to_be_visible()
    # Documents by email: this booking's own address (the general one attaches nothing), its patient's alone.
    expect(documents.locator("[data-test='documents-email']")).to_contain_text("на личный адрес этой консультации")
    expect(documents.locator("[data-test='documents-address']")).to_have_text(re.compile(r"^docs\+[a-z2-7]{32}@"))
    expect(documents.locator("[data-test='documents-empty']")).to_be_visible()

    results = small_pdf("Hemoglobin 135 g/L")
    accepted = upload(page, "анализ крови.pdf", results)
    assert not [text for text in blocked if "connect-src" in text], (
        f"the site's Content-Security-Policy (connect-src 'self') blocked the presigned POST to the storage: {blocked}"
    )
    expect(accepted).to_have_attribute("data-state", "done")
    expect(accepted.locator("[data-test='upload-state']")).to_have_text("Принят")

    fake = upload(page, "выписка.pdf", "Это просто текст, а не PDF.\n".encode() * 20)
    expect(fake).to_have_attribute("data-state", "rejected")
    expect(fake.locator("[data-test='upload-state']")).to_contain_text("Файл «выписка.pdf» не принят")

    sent = documents.locator("[data-test='attachment']")
    expect(sent).to_have_count(1)
    expect(sent.first).to_contain_text("анализ крови.pdf")
    expect(sent.first.locator("[data-test='attachment-source']")).to_have_text("из кабинета")
    link = sent.first.locator("[data-test='attachment-link']").get_attribute("href")
    stored = page.request.get(link)
    assert stored.ok and stored.body() == results, (stored.status, stored.body()[:100])

    # The doctor: in the room's signaling (so the close records a present doctor), then the consultation page.
    ws = doctor_joins_room(url, visit["room_id"])
    doctor = new_page(browser)
    try:
        sign_in(doctor, url, DOCTOR, DEMO_PASSWORD)
        expect(doctor).to_have_url(re.compile(r"/cabinet$"))
        doctor.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Мои консультации").click()
        # At a consultation's time «Мои консультации» takes the doctor into its room by itself, once per room;
        # back from the room, the list stays and links the consultation's page.
        try:
            doctor.wait_for_url(re.compile(r"/room/"), timeout=12000)
            assert visit["room_id"] in doctor.url, doctor.url
            doctor.go_back()
        except PlaywrightTimeoutError:
            pass
        # The list may take the doctor into the room again at any moment: open the consultation's page directly.
        doctor.goto(f"{stack.url}/doctor/consultations/{booking_id}")
        expect(doctor).to_have_url(re.compile(rf"/doctor/consultations/{booking_id}$"))
        doctor_errors = watch_errors(doctor)
        expect(doctor.locator("[data-test='consultation-patient']")).to_have_text("Тестовый Пациент")
        expect(doctor.locator("[data-test='consultation-when']")).to_contain_text("(МСК)")
        room_link = doctor.locator("[data-test='consultation-room']")
        if room_link.count() > 0:
            assert room_link.get_attribute("href") == f"/room/{visit['room_id']}"
        shown = doctor.locator("[data-test='consultation-documents'] [data-test='attachment']")
        expect(shown).to_have_count(1)
        expect(shown.first).to_contain_text("анализ крови.pdf")
        doctor_link = shown.first.locator("[data-test='attachment-link']")
        expect(doctor_link).to_have_attribute("target", "_blank")
        assert doctor.request.get(doctor_link.get_attribute("href")).body() == results

        # From the start the conclusion is written; the draft saves itself.
        wait_for_room_open(url, visit["room_id"], starts_at)
        doctor.reload()
        doctor.get_by_label("Жалобы").fill("Слабость, головокружение по утрам.")
        expect(doctor.locator("[data-test='conclusion-status']")).to_have_text(
            re.compile(r"^Черновик сохранён в \d\d:\d\d$"), timeout=10000
        )
        doctor.get_by_label("Анамнез").fill("Анализ крови от пациента: гемоглобин 135 г/л.")
        doctor.get_by_label("Данные осмотра").fill("Осмотр по видеосвязи: кожные покровы обычной окраски.")
        doctor.get_by_role("textbox", name="Заключение", exact=True).fill("Астенический синдром.")
        doctor.get_by_label("Рекомендации").fill("Режим сна, контроль общего анализа крови через месяц.")
        doctor.get_by_label("Рекомендации").blur()
        expect(doctor.locator("[data-test='conclusion-status']")).to_have_text(
            re.compile(r"^Черновик сохранён в \d\d:\d\d$"), timeout=10000
        )

        doctor.get_by_role("button", name="Подписать и отправить").click()
        confirm = doctor.locator("[data-test='conclusion-confirm']")
        expect(confirm).to_contain_text("После подписания текст заключения изменить нельзя.")
        confirm.get_by_role("button", name="Да, подписать и отправить").click()
        done = doctor.locator("[data-test='conclusion-signed']")
        expect(done).to_contain_text("Заключение подписано и отправлено пациенту", timeout=30000)
        expect(done.locator("[data-test='conclusion-serial']")).to_have_text(re.compile(r"^[0-9A-F]+$"))
        expect(doctor.locator("[data-test='signed-conclusion']")).to_have_text("Астенический синдром.")
        expect(doctor.locator("[data-test='consultation-status']")).to_have_text("Консультация проведена")
        assert doctor_errors == []
    finally:
        ws.close()
        doctor.context.close()

    # The patient: the signed PDF on the booking's page, and in the mail.
    page.reload()
    conclusion = page.locator("[data-test='patient-conclusion']")
    expect(conclusion.get_by_role("heading", name="Заключение врача")).to_be_visible()
    pdf_link = conclusion.get_by_role("link", name="Скачать PDF")
    assert pdf_link.get_attribute("href") == f"/api/bookings/{booking_id}/conclusion/pdf"
    with page.expect_download() as download_info:
        pdf_link.click()
    signed_pdf = Path(download_info.value.path()).read_bytes()
    assert signed_pdf.startswith(b"%PDF")
    mail = email_to(page, url, visit["email"], "Заключение врача по консультации")
    assert [a["filename"] for a in mail["attachments"]] == ["zaklyuchenie.pdf"], mail["attachments"]

    # /verify: valid as sent, not valid with one byte changed.
    conclusion.get_by_role("link", name="проверки электронной подписи").click()
    expect(page).to_have_url(re.compile(r"/verify$"))
    expect(page.get_by_role("heading", name="Проверка электронной подписи заключения", level=1)).to_be_visible()
    page.locator("[data-test='verify-input']").set_input_files(
        {"name": "zaklyuchenie.pdf", "mimeType": "application/pdf", "buffer": signed_pdf}
    )
    valid = page.locator("[data-test='verify-valid']")
    expect(valid.get_by_role("heading", name="Подпись действительна")).to_be_visible(timeout=30000)
    expect(valid.locator("[data-test='verify-signer']")).to_have_text(DOCTOR_NAME)
    expect(valid.locator("[data-test='verify-booking']")).to_have_text(booking_id)
    expect(valid.locator("[data-test='verify-serial']")).to_have_text(re.compile(r"^[0-9A-F]+$"))
    expect(valid.locator("[data-test='verify-signed-at']")).to_contain_text("(МСК)")

    changed = bytearray(signed_pdf)
    at = changed.index(b"stream", len(changed) // 8) + 20  # inside the first page's content
    changed[at] ^= 0x01
    page.locator("[data-test='verify-input']").set_input_files(
        {"name": "zaklyuchenie-izmenyonnoe.pdf", "mimeType": "application/pdf", "buffer": bytes(changed)}
    )
    invalid = page.locator("[data-test='verify-invalid']")
    expect(invalid.get_by_role("heading", name="Подпись недействительна")).to_be_visible(timeout=30000)
    expect(invalid.locator("[data-test='verify-reason']")).to_contain_text("изменён после подписания")
    expect(valid).to_have_count(0)
    assert errors == []

    # The admin: the access log lists the doctor's reads of this booking.
    admin = new_page(browser)
    try:
        sign_in(admin, url, ADMIN, DEMO_PASSWORD)
        expect(admin).to_have_url(re.compile(r"/cabinet$"))
        admin.goto(f"{url}/admin/audit")
        switch = admin.get_by_role("button", name="Перейти в роль «администратор»")
        if switch.count() > 0:
            switch.click()
        expect(admin.get_by_role("heading", name="Журнал доступа к медицинским данным", level=1)).to_be_visible()
        rows = admin.locator("[data-test='audit-entry']").filter(has_text=booking_id).filter(has_text=DOCTOR_NAME)
        expect(rows.first).to_be_visible()
        actions = rows.locator("[data-test='audit-action']").all_inner_texts()
        for action in ("Просмотр записи к врачу", "Просмотр документов пациента", "Просмотр заключения"):
            assert action in actions, actions
        expect(rows.first.locator("[data-test='audit-roles']")).to_have_text("врач")
        expect(rows.first.locator("[data-test='audit-time']")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
        expect(rows.first.locator("[data-test='audit-ip']")).to_have_text("127.0.0.1")
        expect(rows.first.locator("[data-test='audit-browser']")).to_contain_text("Chrome")
        expect(
            admin.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Журнал доступа")
        ).to_be_visible()
    finally:
        admin.context.close()
