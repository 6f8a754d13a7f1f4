"""Notification → email on the local stack: from the payer's «Оплатить» to the email in the outbox."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.harness import Row, at_most, median, row
from local.client import HttpApi, new_patient, signed_in
from local.process import start_stack, stop_stack

RUNS = 10


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _pay(confirmation_url: str) -> None:
    data = urllib.parse.urlencode({"action": "pay", "card": "5555555555554477"}).encode()
    try:
        urllib.request.build_opener(_NoRedirect).open(urllib.request.Request(confirmation_url, data=data), timeout=10)
    except urllib.error.HTTPError:
        pass  # the 303 back to the clinic's site


def measure() -> list[Row]:
    stack = start_stack(Path(tempfile.mkdtemp(prefix="bench-stack-")))
    try:
        registrar = signed_in(stack.url, "registrar@clinic.local", "demo-password")
        doctor = next(d for d in HttpApi(stack.url).get("/doctors").json if d["specialty"]["id"] == "endocrinology")
        today = dt.date.today()
        slots = (
            HttpApi(stack.url)
            .get(f"/doctors/{doctor['id']}/slots?from={today}&to={today + dt.timedelta(days=14)}")
            .json
        )
        timings = []
        for slot in slots[:RUNS]:
            patient = new_patient(stack.url, registrar)
            email = patient.get("/me").json["email"]
            booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
            url = patient.post(f"/bookings/{booking['id']}/payment").json["confirmation_url"]
            outbox = HttpApi(stack.url)
            started = time.perf_counter()
            _pay(url)
            while time.perf_counter() - started < 10:
                if any(
                    m["to"] == [email] and m["subject"].startswith("Консультация оплачена")
                    for m in outbox.get("/dev/outbox").json
                ):
                    break
                time.sleep(0.01)
            timings.append(time.perf_counter() - started)
    finally:
        stop_stack(stack)
    return [
        row(f"payment notification → email in the outbox, median of {RUNS}", median(timings), "s", at_most(1.0)),
        row(f"payment notification → email in the outbox, worst of {RUNS}", max(timings), "s", at_most(1.0)),
    ]
