"""One «Перенести» (POST /bookings/{id}/reschedule) of a paid booking, every AWS request counted (moto in-process,
the Meter of the consultation bench): one DynamoDB transaction, the email, the timer's swap."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from bench.aws_meter import Meter
from bench.aws_prices import price
from bench.harness import Row, at_most, row
from bench.inprocess import bench_accounts, moto_stage, yookassa

SHOP, SECRET = "100001", "bench_secret_key"
PASSWORD = "bench password 1"


def measure() -> list[Row]:
    meter = Meter()
    moved: dict[str, object] = {}
    with moto_stage():
        from chalice.test import Client

        from app import app
        from chalicelib import aws
        from chalicelib.config import settings

        bench_accounts(PASSWORD)
        with Client(app) as client:

            def call(method: str, path: str, body: object = None, cookie: str | None = None):  # type: ignore[no-untyped-def]
                headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
                response = getattr(client.http, method)(
                    path, headers=headers, body=json.dumps(body) if body is not None else None
                )
                return json.loads(response.body) if response.body else None

            def webhook(body: dict) -> int:
                return int(
                    client.http.post(
                        "/payments/yookassa/webhook",
                        headers={"Content-Type": "application/json"},
                        body=json.dumps(body),
                    ).status_code
                )

            with yookassa(SHOP, SECRET, webhook) as emulator:

                def login(email: str) -> str:
                    response = client.http.post(
                        "/auth/login",
                        headers={"Content-Type": "application/json"},
                        body=json.dumps({"login": email, "password": PASSWORD}),
                    )
                    return str(response.headers["Set-Cookie"].split(";", 1)[0])

                staff, patient = login("staff@example.org"), login("patient@example.org")
                specialty = call("post", "/specialties", {"name": "Терапия"}, staff)
                doctor = call(
                    "post",
                    "/doctors",
                    {
                        "email": "doc@example.org",
                        "full_name": "Доктор Бенч",
                        "specialty_id": specialty["id"],
                        "price": 2000,
                        "duration_minutes": 30,
                    },
                    staff,
                )
                hours = {str(d): [["09:00", "13:00"], ["14:00", "18:00"]] for d in range(1, 8)}
                call("put", f"/doctors/{doctor['id']}/schedule", {"weekly_hours": hours}, staff)
                for doc in call("get", "/legal-documents", cookie=patient):
                    call("post", "/consents", {k: doc[k] for k in ("kind", "version", "sha256")}, patient)
                today = dt.date.today()
                far = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
                slots = [
                    s
                    for s in call(
                        "get", f"/doctors/{doctor['id']}/slots?from={today}&to={today + dt.timedelta(days=6)}"
                    )
                    if dt.datetime.fromisoformat(s["starts_at"]) > far
                ]
                booking = call("post", "/bookings", {"slot_id": slots[0]["id"]}, patient)
                emulator.decide(call("post", f"/bookings/{booking['id']}/payment", cookie=patient)["payment_id"], "pay")

                meter.install()
                try:
                    meter.active, meter.phase = True, "reschedule"
                    meter.rest_requests.append((meter.phase, "POST /bookings/{id}/reschedule"))
                    with meter.invocation("rest", "patient", "patient: POST /bookings/{id}/reschedule"):
                        moved = call(
                            "post", f"/bookings/{booking['id']}/reschedule", {"slot_id": slots[1]["id"]}, patient
                        )
                    meter.active = False
                finally:
                    meter.uninstall()
                running = [
                    e["name"]
                    for e in aws.stepfunctions().list_executions(stateMachineArn=settings().state_machine_arn)[
                        "executions"
                    ]
                    if e["status"] == "RUNNING"
                ]
    assert moved.get("starts_at") == slots[1]["starts_at"], moved
    assert running == [f"{booking['id']}-1"], running  # exactly one live timer, the moved booking's
    count = Counter(f"{c.service}:{c.operation}" for c in meter.calls)
    transactions = count["dynamodb:TransactWriteItems"]
    by_service = Counter(c.service for c in meter.calls)
    detail = ", ".join(f"{name} {n}" for name, n in sorted(by_service.items()))
    operations = ", ".join(f"{name} ×{n}" for name, n in sorted(count.items()))
    print(f"reschedule: {operations}")
    bill = price(meter, "eu-central-1")
    for what, usd in sorted(bill.lines.items(), key=lambda kv: -kv[1]):
        if usd:
            print(f"  {what:42} ${usd:.7f}")
    return [
        row("reschedule: DynamoDB transactions (TransactWriteItems) in one move", transactions, "tx", at_most(1)),
        row(f"reschedule: AWS requests of one move ({detail})", len(meter.calls), "requests", at_most(12)),
        row(
            "reschedule: DynamoDB write units of one move (the transaction: 2 slots, booking, room, email, job)",
            sum(c.wru for c in meter.calls),
            "WRU",
            at_most(40),
        ),
        row("reschedule: cost of 1000 moves at eu-central-1", bill.total * 1000, "USD", at_most(0.5)),
    ]
