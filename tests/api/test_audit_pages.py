"""The audit log is read a page at a time: every entry of a busy day is reachable (no silent cap)."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import pytest

from tests.helpers import Api, make_user

DAY = "2026-11-26"


def write_entries(count: int, day: str = DAY) -> None:
    from chalicelib.storage.tables import AuditEntry

    start = dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC)
    with AuditEntry.batch_write() as batch:
        for n in range(count):
            at = start + dt.timedelta(seconds=n)
            batch.save(
                AuditEntry(
                    day,
                    f"{at.isoformat()}#{uuid.uuid4().hex[:8]}",
                    actor_id=f"doctor-{n}",
                    actor_name="Орлова Елена Дмитриевна",
                    actor_roles="doctor",
                    action="read_booking",
                    target_type="booking",
                    target_id=f"b{n}",
                    patient_id="p1",
                    ip="203.0.113.7",
                    user_agent="Mozilla/5.0",
                )
            )


@pytest.fixture
def admin(client) -> Api:  # type: ignore[no-untyped-def]
    make_user("admin@example.org", {"admin"})
    api = Api(client)
    assert api.login("admin@example.org").status_code == 200
    return api


def test_a_day_of_more_than_a_thousand_reads_is_paged_to_its_end(admin: Api) -> None:
    write_entries(1203)
    seen: list[dict] = []
    pages, cursor = 0, None
    while True:
        answer = admin.get(f"/audit?date={DAY}&limit=500" + (f"&next={cursor}" if cursor else ""))
        assert answer.status_code == 200, answer.json
        pages += 1
        seen += answer.json["entries"]
        cursor = answer.json["next"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == 1203 and len({e["target_id"] for e in seen}) == 1203
    assert [e["at"] for e in seen] == sorted((e["at"] for e in seen), reverse=True)


def test_the_default_page_and_an_exact_last_page(admin: Api) -> None:
    write_entries(200)
    first = admin.get(f"/audit?date={DAY}").json
    assert len(first["entries"]) == 100 and first["next"]
    second = admin.get(f"/audit?date={DAY}&next={first['next']}").json
    assert len(second["entries"]) == 100 and second["next"] is None  # no empty third page
    assert not {e["target_id"] for e in first["entries"]} & {e["target_id"] for e in second["entries"]}


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%00",
        _b64(f"{DAY}|<script>"),
        _b64(f"{DAY}|2026-11-26T06:00:00"),
        _b64("2026-11-25|2026-11-25T06:00:00+00:00#0123abcd"),
    ],
)
def test_a_cursor_not_made_for_this_day_is_refused(admin: Api, cursor: str) -> None:
    write_entries(3)
    answer = admin.get(f"/audit?date={DAY}&limit=1&next={cursor}")
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["code"] == "validation_error"
    assert answer.json["error"]["fields"]["next"].startswith("Ссылка на следующую страницу")


def test_another_days_cursor_is_refused(admin: Api) -> None:
    write_entries(3)
    write_entries(3, "2026-11-27")
    cursor = admin.get("/audit?date=2026-11-27&limit=1").json["next"]
    assert admin.get(f"/audit?date={DAY}&limit=1&next={cursor}").status_code == 400


@pytest.mark.parametrize("limit", ["0", "501", "ten"])
def test_the_page_size_is_bounded(admin: Api, limit: str) -> None:
    assert admin.get(f"/audit?date={DAY}&limit={limit}").status_code == 400
