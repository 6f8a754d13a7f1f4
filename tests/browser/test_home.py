"""The first browser test: the local stack starts and the home page works."""

from __future__ import annotations


def test_home_page_and_health(stack, page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(stack.url + "/")
    assert page.locator("header").get_by_text("Центр телемедицины").first.is_visible()
    assert page.get_attribute("html", "lang") == "ru"
    health = page.request.get(stack.url + "/api/health")
    assert health.status == 200
    assert health.json()["status"] == "ok"
    assert errors == []
