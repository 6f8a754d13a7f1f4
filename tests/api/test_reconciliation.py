"""Reconciliation with YooKassa (the real SDK against the emulator's lists): each kind of difference found, exactly
those, paged across the emulator's cursors; a clean period says so; the admin's period checked; the email."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import free_slots
from tests.api.test_conclusions import SECTIONS
from tests.helpers import Api, Clock, make_user, outbox, set_own_password


@pytest.fixture
def admin(client) -> Api:
    make_user("admin@example.org", {"admin"})
    api = Api(client)
    assert api.login("admin@example.org").status_code == 200
    return api


@pytest.fixture(autouse=True)
def mail_to(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.config import reload_settings

    monkeypatch.setenv("RECONCILIATION_MAIL_TO", "buh@example.org")
    reload_settings()


def paid(patient: Api, doctor: dict, yookassa, index: int = 0) -> dict:
    slot = free_slots(patient, doctor["id"], days=2)[index]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    payment_id = patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"]
    yookassa.decide(payment_id, "pay")
    shown = patient.get(f"/bookings/{booking['id']}").json
    assert shown["status"] == "paid", shown
    return {"id": booking["id"], "payment_id": payment_id, "starts_at": booking["starts_at"]}


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def reconcile(admin: Api, first: str, last: str) -> dict:
    response = admin.post("/admin/reconciliations", {"from": first, "to": last})
    assert response.status_code == 201, response.json
    return response.json


def found(result: dict) -> set[tuple[str, str | None, str | None]]:
    return {(d["kind"], d["booking_id"], d["payment_id"]) for d in result["differences"]}


def test_a_clean_period_has_no_differences_and_says_so(
    client, staff: Api, doctor: dict, patient: Api, yookassa, admin: Api
) -> None:
    kept = paid(patient, doctor, yookassa)
    returned = paid(patient, doctor, yookassa)
    refunded = staff.post(f"/bookings/{returned['id']}/refund")
    assert refunded.status_code == 200, refunded.json
    result = reconcile(admin, today(), today())
    assert result["differences"] == [] and result["differences_count"] == 0
    assert result["checked"] == {"payments": 2, "refunds": 1, "bookings": 2, "rendered": 0}
    assert kept["payment_id"] in {p["id"] for p in yookassa.payments.values()}
    [mail] = [m for m in outbox() if m["to"] == ["buh@example.org"]]
    assert "расхождений нет" in mail["subject"] and "Расхождений нет" in mail["text"]
    assert [r["id"] for r in admin.get("/admin/reconciliations").json] == [result["id"]]


def test_each_kind_of_difference_is_found_with_what_to_do_and_nothing_else(
    client, staff: Api, doctor: dict, patient: Api, yookassa, admin: Api
) -> None:
    key = admin.post(f"/doctors/{doctor['id']}/signing-key")
    assert key.status_code == 201, key.json
    clean = paid(patient, doctor, yookassa)
    rendered = paid(patient, doctor, yookassa)  # the soonest slot left: its conclusion is signed below
    # Paid in YooKassa for a booking we do not have (the notification is refused: no such booking).
    stray = yookassa.create_payment(
        {"amount": {"value": "1200.00", "currency": "RUB"}, "metadata": {"booking_id": "no-such-booking"}}
    )
    yookassa.decide(stray["id"], "pay")
    # Paid here, but YooKassa has no such payment.
    lost = paid(patient, doctor, yookassa)
    del yookassa.payments[lost["payment_id"]]
    # YooKassa took another sum than our price.
    other_sum = paid(patient, doctor, yookassa)
    yookassa.payments[other_sum["payment_id"]]["amount"] = {"value": "3000.00", "currency": "RUB"}
    # Refunded in YooKassa's dashboard: the booking never hears of it (its notification is not believed: 503).
    refunded_there = paid(patient, doctor, yookassa)
    code, refund = yookassa.create_refund(
        {"payment_id": refunded_there["payment_id"], "amount": {"value": "3500.00", "currency": "RUB"}}
    )
    assert code == 200
    # Refunded here, but YooKassa does not have the refund.
    refunded_here = paid(patient, doctor, yookassa)
    assert staff.post(f"/bookings/{refunded_here['id']}/refund").status_code == 200
    our_refund = next(r for r in yookassa.refunds.values() if r["payment_id"] == refunded_here["payment_id"])
    del yookassa.refunds[our_refund["id"]]
    # A rendered consultation (the conclusion signed) whose closing receipt YooKassa does not have.
    Clock(dt.datetime.fromisoformat(rendered["starts_at"]) + dt.timedelta(minutes=1))
    set_own_password("orlova@example.org", "doctor secret 1")
    doctor_api = Api(client)
    doctor_api.login("orlova@example.org", "doctor secret 1")
    signed = doctor_api.post(f"/bookings/{rendered['id']}/conclusion", SECTIONS)
    assert signed.status_code == 201, signed.json
    receipts = getattr(getattr(yookassa, "receipts", None), "items", {})  # the receipts' emulator, where it is
    for receipt_id in [i for i, r in receipts.items() if r.get("payment_id") == rendered["payment_id"]]:
        if any(s.get("type") == "prepayment" for s in receipts[receipt_id].get("settlements", [])):
            del receipts[receipt_id]  # the closing receipt lost on YooKassa's side
    admin.login("admin@example.org")

    last_day = dt.datetime.fromisoformat(rendered["starts_at"]).astimezone(dt.UTC).date().isoformat()
    result = reconcile(admin, today(), last_day)

    assert found(result) == {
        ("paid_there_not_here", "no-such-booking", stray["id"]),
        ("paid_here_not_there", lost["id"], lost["payment_id"]),
        ("amount_differs", other_sum["id"], other_sum["payment_id"]),
        ("refund_there_not_here", refunded_there["id"], refunded_there["payment_id"]),
        ("refund_here_not_there", refunded_here["id"], refunded_here["payment_id"]),
        ("closing_receipt_missing", rendered["id"], rendered["payment_id"]),
    }
    assert clean["id"] not in {d["booking_id"] for d in result["differences"]}
    by_kind = {d["kind"]: d for d in result["differences"]}
    assert by_kind["amount_differs"]["ours"] == "3500.00 RUB" and by_kind["amount_differs"]["theirs"] == "3000.00 RUB"
    assert by_kind["amount_differs"]["what_to_do"].startswith("Суммы различаются: у нас за запись " + other_sum["id"])
    assert by_kind["paid_there_not_here"]["what_to_do"].startswith("Платёж " + stray["id"])
    assert by_kind["refund_there_not_here"]["refund_id"] == refund["id"]
    assert by_kind["refund_here_not_there"]["refund_id"] == our_refund["id"]
    assert result["differences_count"] == 6

    [mail] = [m for m in outbox() if m["to"] == ["buh@example.org"]]
    assert "6 расхождений" in mail["subject"]
    for difference in result["differences"]:
        assert difference["what_to_do"] in mail["text"]
    latest = admin.get("/admin/reconciliations").json
    assert latest[0]["id"] == result["id"] and len(latest[0]["differences"]) == 6


def test_lists_are_read_page_after_page(
    client, doctor: dict, patient: Api, yookassa, admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.payments import reconciliation_run

    monkeypatch.setattr(reconciliation_run, "PAGE_LIMIT", 2)
    bookings = [paid(patient, doctor, yookassa) for _ in range(3)]
    stray = [
        yookassa.create_payment(
            {"amount": {"value": "100.00", "currency": "RUB"}, "metadata": {"booking_id": f"gone-{n}"}}
        )
        for n in range(2)
    ]
    for payment in stray:
        yookassa.decide(payment["id"], "pay")
    result = reconcile(admin, today(), today())
    asked = [q for what, q in yookassa.list_requests if what == "payments"]
    assert len(asked) == 3 and all(q["limit"] == "2" for q in asked)  # 5 payments: 2 + 2 + 1
    assert "cursor" not in asked[0] and asked[1]["cursor"] and asked[2]["cursor"] != asked[1]["cursor"]
    assert result["checked"]["payments"] == 5 and result["checked"]["bookings"] == 3
    assert found(result) == {("paid_there_not_here", f"gone-{n}", p["id"]) for n, p in enumerate(stray)}
    assert not {b["id"] for b in bookings} & {d["booking_id"] for d in result["differences"]}


def test_the_emulator_lists_as_yookassa_does(yookassa) -> None:
    made = [yookassa.create_payment({"amount": {"value": "10.00", "currency": "RUB"}}) for _ in range(3)]
    status, first = yookassa.list_objects("payments", {"limit": "2"})
    assert status == 200 and first["type"] == "list" and len(first["items"]) == 2 and first["next_cursor"]
    status, second = yookassa.list_objects("payments", {"limit": "2", "cursor": first["next_cursor"]})
    assert status == 200 and len(second["items"]) == 1 and "next_cursor" not in second
    newest_first = [p["id"] for p in first["items"] + second["items"]]
    assert sorted(newest_first) == sorted(p["id"] for p in made)
    assert yookassa.list_objects("payments", {"created_at.gte": "2999-01-01T00:00:00.000Z"})[1]["items"] == []
    assert yookassa.list_objects("payments", {"limit": "0"})[0] == 400
    assert yookassa.list_objects("payments", {"cursor": "not-a-cursor"})[0] == 400


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"to": "2026-01-01"}, "from", "Заполните это поле."),
        ({"from": "2026-01-31", "to": "2026-01-01"}, "to", "Дата окончания должна быть не раньше даты начала."),
        ({"from": "2026-01-01", "to": "2026-02-15"}, "to", "Сверка охватывает не больше 31 дня за раз"),
        ({"from": "2026-01-01", "to": "2999-01-01"}, "to", "Сверить можно только прошедшие дни и сегодняшний."),
        ({"from": "01.01.2026", "to": "2026-01-02"}, "from", "Укажите дату в формате ГГГГ-ММ-ДД."),
    ],
)
def test_a_wrong_period_is_explained_and_nothing_is_run(
    admin: Api, yookassa, body: dict, field: str, message: str
) -> None:
    response = admin.post("/admin/reconciliations", body)
    assert response.status_code == 400
    assert response.json["error"]["fields"][field].startswith(message)
    assert yookassa.list_requests == [] and admin.get("/admin/reconciliations").json == []


def test_only_admins_reconcile(client, staff: Api, patient: Api) -> None:
    assert staff.post("/admin/reconciliations", {"from": today(), "to": today()}).status_code == 403
    assert patient.get("/admin/reconciliations").status_code == 403
    assert Api(client).get("/admin/reconciliations").status_code == 401


def test_the_daily_run_covers_yesterday(client, doctor: dict, patient: Api, yookassa, admin: Api) -> None:
    booking = paid(patient, doctor, yookassa)
    del yookassa.payments[booking["payment_id"]]
    Clock(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    count = client.lambda_.invoke(
        "reconcile_payments",
        client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]),
    ).payload
    assert count == 1
    admin.login("admin@example.org")
    [run] = admin.get("/admin/reconciliations").json
    assert run["trigger"] == "schedule" and run["period_from"] == run["period_to"] == today()
    assert found(run) == {("paid_here_not_there", booking["id"], booking["payment_id"])}


def test_bookings_paid_before_the_index_are_brought_in_by_the_deploys_backfill(
    client, doctor: dict, patient: Api, yookassa, admin: Api
) -> None:
    from chalicelib.storage.reconciliations import backfill_money_days
    from chalicelib.storage.tables import Booking

    booking = paid(patient, doctor, yookassa)
    del yookassa.payments[booking["payment_id"]]
    Booking(booking["id"]).update(actions=[Booking.money_day.remove()])  # as written before the index existed
    assert reconcile(admin, today(), today())["differences"] == []  # nothing says it was paid that day
    assert backfill_money_days() == 1 and backfill_money_days() == 0
    assert found(reconcile(admin, today(), today())) == {("paid_here_not_there", booking["id"], booking["payment_id"])}


def test_yookassa_not_answering_is_said_and_nothing_is_stored(admin: Api, yookassa) -> None:
    yookassa.fail_next = 1
    response = admin.post("/admin/reconciliations", {"from": today(), "to": today()})
    assert response.status_code == 503 and response.json["error"]["code"] == "reconciliation_unavailable"
    assert response.json["error"]["message"].startswith("ЮKassa сейчас не отвечает, поэтому сверка не выполнена")
    assert admin.get("/admin/reconciliations").json == []
    assert not [m for m in outbox() if m["to"] == ["buh@example.org"]]
