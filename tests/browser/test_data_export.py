"""«Мои данные» in the browser: a new patient (the registry opened the card, the documents are signed) presses
«Подготовить архив» on «Личные данные», sees «Архив готовится…» until the local stack's queue poller has built it,
downloads it through «Скачать архив (ссылка действует до …)», and the ZIP opens: about.txt, data.json with their
profile and signed documents, the documents' texts."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_accounts_flow import watch_errors
from tests.browser.test_booking_flow import fresh_patient, sign_documents_through_api


@pytest.mark.timeout(300)
def test_the_patient_prepares_and_downloads_the_archive(stack, page: Page, browser: Browser) -> None:
    url = stack.url
    errors = watch_errors(page)
    full_name = f"Архипова Дина {uuid.uuid4().hex[:6]}"
    email, _password = fresh_patient(browser, page, url, full_name)
    sign_documents_through_api(page)

    page.goto(url + "/cabinet/personal")
    section = page.locator("[data-test='my-data']")
    expect(section.get_by_role("heading", name="Мои данные")).to_be_visible()
    section.get_by_role("button", name="Подготовить архив").click()
    expect(section.get_by_text("Архив готовится…")).to_be_visible()

    # Built by the local stack's poller of the data-exports queue (what Lambda's SQS trigger does in AWS).
    link = section.get_by_role("link", name=re.compile(r"^Скачать архив \(ссылка действует до \d\d:\d\d МСК\)$"))
    expect(link).to_be_visible(timeout=90000)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("moi-dannye-") and download.suggested_filename.endswith(".zip")
    with open(download.path(), "rb") as file:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))
    assert archive.testzip() is None
    assert {"about.txt", "data.json"} <= set(archive.namelist())
    assert full_name in archive.read("about.txt").decode("utf-8")
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["full_name"] == full_name and data["profile"]["email"] == email
    assert data["consents"] and all(archive.read(c["file"]) for c in data["consents"])
    assert errors == []
