"""AWS operations per request on the booking path, counted by a botocore hook (moto in-process)."""

from __future__ import annotations

import datetime as dt
import json

from bench.harness import Row, at_most, row
from bench.inprocess import bench_accounts, moto_stage


def measure() -> list[Row]:
    with moto_stage():
        from chalice.test import Client

        from app import app
        from chalicelib.devtools.aws_calls import recording

        secret = "bench password 1"
        bench_accounts(secret)
        with Client(app) as client:

            def call(method: str, path: str, body: object = None, cookie: str | None = None):  # type: ignore[no-untyped-def]
                headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
                return getattr(client.http, method)(
                    path, headers=headers, body=json.dumps(body) if body is not None else None
                )

            def login(email: str) -> str:
                response = call("post", "/auth/login", {"login": email, "password": secret})
                return response.headers["Set-Cookie"].split(";", 1)[0]

            staff, patient = login("staff@example.org"), login("patient@example.org")
            specialty = json.loads(call("post", "/specialties", {"name": "Терапия"}, staff).body)
            doctor = json.loads(
                call(
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
                ).body
            )
            call(
                "put",
                f"/doctors/{doctor['id']}/schedule",
                {"weekly_hours": {str(d): [["09:00", "13:00"], ["14:00", "18:00"]] for d in range(1, 6)}},
                staff,
            )
            for doc in json.loads(call("get", "/legal-documents", cookie=patient).body):
                call("post", "/consents", {k: doc[k] for k in ("kind", "version", "sha256")}, patient)
            today = dt.date.today()
            with recording() as listing:
                slots = json.loads(
                    call("get", f"/doctors/{doctor['id']}/slots?from={today}&to={today + dt.timedelta(days=6)}").body
                )
            with recording() as holding:
                assert call("post", "/bookings", {"slot_id": slots[0]["id"]}, patient).status_code == 201
            with recording() as mine:
                call("get", "/bookings", cookie=patient)
    return [
        row("AWS operations: list a doctor's slots for 7 days", len(listing), "ops", at_most(2)),
        row("AWS operations: hold a slot (session + slot read, one transaction)", len(holding), "ops", at_most(2)),
        row("AWS operations: list my bookings", len(mine), "ops", at_most(2)),
    ]
