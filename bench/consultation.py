"""One whole consultation in-process, and what it costs on AWS.

The path a patient and a doctor take, through the real app (HTTP routes via Chalice's test client, the
WebSocket and SQS handlers of app.py) on moto: a registration request, the registry opening the card (the
credentials email), the patient's first sign-in and own password, the consents, the slot list, the hold,
the payment (YooKassa emulator) and its webhook (the paid email, the booking timer started), the booking
timer's run (its definition read back from Step Functions and walked here: each Task's request made as the
service would make it, each SQS message handed to `timer_events` as Lambda's SQS trigger does: the reminder
email, the room opening, the close and the attendance check), both entering the room (room info and its
signaling ticket, WebSocket connect, join, offer, answer, one trickled ICE candidate each, leave,
disconnect), the doctor's draft and signed conclusion (KMS) and its email with the PDF.

Every AWS request any botocore client makes is counted by service and operation (DynamoDB's capacity
units from the items' sizes). What a deployment adds outside this process is counted from the same run:
Lambda invocations (one per REST request, WebSocket event and SQS batch), API Gateway requests and
WebSocket messages, Step Functions state transitions. Set-up (the demo clinic: staff, doctors, hours,
signing keys) and the staff's and the doctor's own sign-ins (once a day, not per consultation) are not
counted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import uuid
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.aws_meter import Meter
from bench.aws_prices import AWS_LATENCY_S, REGIONS, SERVICE_NAMES, lambda_seconds, price
from bench.consultation_actors import Clock, Person, Timer, WebSocket, sqs_to_lambda
from bench.harness import Row, at_most, row
from bench.inprocess import moto_stage, yookassa

SHOP, SECRET, PASSWORD = "100001", "bench_secret_key", "demo-password"


def _mail(to: str, subject_start: str) -> dict[str, Any]:
    from chalicelib.devtools.outbox import messages

    return next(m for m in messages() if m["to"] == [to] and m["subject"].startswith(subject_start))


def _slot_start(slot: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(slot["starts_at"])


def run_consultation() -> Meter:
    meter = Meter()
    os.environ["SLOT_WINDOW_DAYS"] = "7"
    try:
        with moto_stage():
            from chalice.test import Client

            from app import app
            from chalicelib.clock import set_clock
            from local.seed import seed_demo

            seed_demo(PASSWORD)
            with Client(app) as client:

                def webhook(body: dict) -> int:
                    if meter.active:
                        meter.rest_requests.append((meter.phase, "POST /payments/yookassa/webhook"))
                    with meter.invocation("rest", "YooKassa", "YooKassa: POST /payments/yookassa/webhook"):
                        return client.http.post(
                            "/payments/yookassa/webhook",
                            headers={"Content-Type": "application/json"},
                            body=json.dumps(body),
                        ).status_code

                with yookassa(SHOP, SECRET, webhook) as emulator:
                    meter.install()
                    try:
                        _story(meter, client, emulator)
                    finally:
                        meter.uninstall()
                        set_clock(None)
    finally:
        os.environ.pop("SLOT_WINDOW_DAYS", None)
    return meter


def _story(meter: Meter, client: Any, yookassa: Any) -> None:
    from chalicelib.devtools.outbox import messages

    registrar = Person(meter, client, "registrar")
    doctors = Person(meter, client, "anyone").call("GET", "/doctors").json
    doctor_card = next(d for d in doctors if d["specialty"]["id"] == "cardiology")
    today = dt.date.today()
    slots = (
        Person(meter, client, "anyone")
        .call("GET", f"/doctors/{doctor_card['id']}/slots?from={today}&to={today + dt.timedelta(days=6)}")
        .json
    )
    # A slot at least 2 h 10 min ahead: the story starts 2 h before it, so the reminder (1 h before) is ahead.
    real_now = dt.datetime.now(dt.UTC)
    slot = next(s for s in slots if _slot_start(s) - real_now > dt.timedelta(hours=2, minutes=10))
    clock = Clock(_slot_start(slot) - dt.timedelta(hours=2))
    registrar.call(  # the registry's working day began before (not counted)
        "POST", "/auth/login", {"login": "registrar@clinic.local", "password": PASSWORD}
    )
    email = f"bench.{uuid.uuid4().hex[:8]}@example.org"
    meter.active = True

    meter.phase = "register"
    public = Person(meter, client, "patient")
    request = public.call(
        "POST",
        "/registration-requests",
        {"full_name": "Бенчева Мария Ивановна", "email": email, "phone": "+7 921 555-12-34"},
    ).json
    registrar.call("GET", "/registration-requests?status=new")
    registrar.call(
        "POST",
        "/patients",
        {
            "full_name": "Бенчева Мария Ивановна",
            "email": email,
            "phone": "+7 921 555-12-34",
            "birth_date": "1990-05-17",
            "request_id": request["id"],
        },
    )
    with meter.quiet():
        temporary = re.search(r"^Пароль: (\S+)$", _mail(email, "")["text"], re.M).group(1)  # type: ignore[union-attr]
    patient = Person(meter, client, "patient")
    patient.call("POST", "/auth/login", {"login": email, "password": temporary})
    # The forced change right after that sign-in: the temporary password is not asked again.
    patient.call("POST", "/me/password", {"new_password": "my own good secret"})

    meter.phase = "consent"
    # The documents required before booking, signed with the wizard's one «Подписать»: one request, one transaction.
    required = [d for d in patient.call("GET", "/legal-documents").json if d["required_before_booking"]]
    signing = [{k: doc[k] for k in ("kind", "version", "sha256")} for doc in required]
    patient.call("POST", "/legal-documents/signatures", {"documents": signing})

    meter.phase = "hold"
    day = _slot_start(slot).date()
    listed = patient.call("GET", f"/doctors/{doctor_card['id']}/slots?from={day}&to={day}").json
    assert any(s["id"] == slot["id"] for s in listed)
    booking = patient.call("POST", "/bookings", {"slot_id": slot["id"]}).json

    meter.phase = "pay + webhook"
    payment = patient.call("POST", f"/bookings/{booking['id']}/payment").json
    yookassa.decide(payment["payment_id"], "pay")  # the payer's «Оплатить»: YooKassa notifies the webhook
    paid = patient.call("GET", f"/bookings/{booking['id']}").json
    assert paid["status"] == "paid", paid
    with meter.quiet():
        link = re.compile(r"/room/" + paid["room_id"] + r"#token=([A-Za-z0-9_-]+)")
        token = next(found.group(1) for m in messages() for found in [link.search(m["text"])] if found)

    doctor = Person(meter, client, "doctor")
    meter.phase = "timer"
    timer = Timer(meter, clock, booking["id"], lambda url: sqs_to_lambda(meter, url))
    for wait in timer.run():
        if wait == "WaitForStart":  # the lobby is open: both come in
            meter.active = False
            doctor.call("POST", "/auth/login", {"login": "cardiologist@clinic.local", "password": PASSWORD})
            meter.active = True
            meter.phase = "room"
            patient_room = Person(meter, client, "patient").call(
                "GET", f"/rooms/{paid['room_id']}", headers={"X-Room-Token": token}
            )
            doctor_room = doctor.call("GET", f"/rooms/{paid['room_id']}")
            sockets = {}
            for role, info in (("doctor", doctor_room.json), ("patient", patient_room.json)):
                query = parse_qs(urlsplit(info["signaling_url"]).query)
                sockets[role] = WebSocket(meter, role)
                sockets[role].connect({"room": query["room"][0], "ticket": query["ticket"][0]})
                sockets[role].send({"action": "join"})
            connected_at = clock.current
            meter.phase = "timer"
        elif wait == "WaitForClose":  # the room is open (the timer's "opened" handled): the call
            meter.phase = "room"
            start = clock.current
            sockets["doctor"].send(
                {"action": "offer", "sdp": "v=0\r\n" + "a=candidate:1 1 udp 1 192.0.2.1 9 typ host\r\n"}
            )
            sockets["patient"].send({"action": "answer", "sdp": "v=0\r\n"})
            for role in ("doctor", "patient"):
                sockets[role].send(
                    {"action": "candidate", "candidate": {"candidate": "candidate:2 1 udp 2 198.51.100.7 9 typ srflx"}}
                )
            meter.phase = "conclusion"
            clock.at_least(start + dt.timedelta(minutes=15))
            url = f"/bookings/{booking['id']}/conclusion"
            sections = {
                "complaints": "Головная боль по утрам.",
                "anamnesis": "Гипертоническая болезнь 5 лет.",
                "examination": "АД 150/95 по данным самоконтроля.",
                "conclusion": "Артериальная гипертензия.",
                "recommendations": "Дневник давления две недели.",
            }
            doctor.call("PUT", url, {**sections, "conclusion": "черновик"})
            clock.at_least(dt.datetime.fromisoformat(paid["ends_at"]) - dt.timedelta(minutes=1))
            meter.phase = "room"
            for role in ("patient", "doctor"):
                sockets[role].send({"action": "leave"})
                sockets[role].disconnect()
            meter.connection_minutes = 2 * (clock.current - connected_at).total_seconds() / 60
            meter.phase = "conclusion"
            signed = doctor.call("POST", url, sections).json
            assert signed["status"] == "signed", signed
            meter.phase = "timer"
    meter.active = False
    subjects = [m["subject"] for m in messages() if m["to"] == [email]]
    assert any(s.startswith("Заключение врача") for s in subjects), subjects


def operation_table(meter: Meter) -> str:
    phases = list(dict.fromkeys(c.phase for c in meter.calls))
    ops = Counter((c.service, c.operation) for c in meter.calls)
    by = Counter((c.service, c.operation, c.phase) for c in meter.calls)
    header = ["operation", *phases, "total"]
    rows = [
        [f"{SERVICE_NAMES.get(s, s)} {o}", *[str(by[(s, o, ph)] or "") for ph in phases], str(n)]
        for (s, o), n in ops.most_common()
    ]
    per_phase = Counter(c.phase for c in meter.calls)
    rows.append(["all AWS requests", *[str(per_phase[ph]) for ph in phases], str(len(meter.calls))])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        " | ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in [header, *rows]
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def measure() -> list[Row]:
    meter = run_consultation()
    info = ("info", lambda v: True)
    count = Counter((c.service, c.operation) for c in meter.calls)
    bills = {region: price(meter, region) for region in REGIONS}
    print("One consultation: AWS requests by operation and phase")
    print(operation_table(meter))
    print("Per Lambda invocation (REST request, WebSocket event, SQS batch):")
    outside = len(meter.calls) - sum(len(i.calls) for i in meter.invocations)
    for i in meter.invocations:
        ops = Counter(f"{c.operation}({c.tables})" if c.tables else c.operation for c in i.calls)
        listed = ", ".join(f"{o} ×{n}" if n > 1 else o for o, n in ops.items())
        print(f"  {i.phase:13} {i.what:60} {len(i.calls):3}  {listed}")
    print(f"  outside any invocation (Step Functions tasks, Lambda's SQS polling): {outside}")
    print("Step Functions states:", ", ".join(s for _, s in meter.transitions))
    for region, bill in bills.items():
        print(f"Price at {region}: ${bill.total:.6f}")
        for what, usd in sorted(bill.lines.items(), key=lambda kv: -kv[1]):
            print(f"  {what:42} ${usd:.7f}")
    services = Counter(c.service for c in meter.calls)
    per_service = [
        row(
            f"consultation: {SERVICE_NAMES.get(s, s)} requests ("
            + ", ".join(f"{o} {n}" for (sv, o), n in count.most_common() if sv == s)
            + ")",
            n,
            "requests",
            info,
        )
        for s, n in services.most_common()
    ]
    seconds = lambda_seconds(meter)
    return [
        row(
            "consultation: AWS requests, register → consent → hold → pay → webhook → timer → room → conclusion → email",
            len(meter.calls),
            "requests",
            at_most(60),
        ),
        dataclasses.replace(
            row("consultation: price at eu-central-1 on-demand prices, without TURN", 0, "USD", at_most(0.01)),
            value=round(bills["eu-central-1"].total, 6),
            passed=bills["eu-central-1"].total <= 0.01,
        ),
        dataclasses.replace(
            row("consultation: price at us-east-1 on-demand prices, without TURN", 0, "USD", info),
            value=round(bills["us-east-1"].total, 6),
        ),
        *per_service,
        row(
            "consultation: DynamoDB read request units (from the items' sizes)",
            sum(c.rru for c in meter.calls),
            "RRU",
            info,
        ),
        row(
            "consultation: DynamoDB write request units (indexes included)",
            sum(c.wru for c in meter.calls),
            "WRU",
            info,
        ),
        row(
            f"consultation: Lambda invocations ({len(meter.rest_requests)} REST, "
            f"{sum(i.kind == 'websocket' for i in meter.invocations)} WebSocket, "
            f"{sum(i.kind == 'sqs' for i in meter.invocations)} SQS)",
            len(meter.invocations),
            "invocations",
            info,
        ),
        row(
            f"consultation: Lambda billed time at 1024 MB (in-process + {AWS_LATENCY_S * 1000:.0f} ms per AWS request)",
            sum(seconds),
            "s",
            info,
        ),
        row(
            "consultation: API Gateway WebSocket messages (in and out)",
            len(meter.ws_messages) + services["apigatewaymanagementapi"],
            "messages",
            info,
        ),
        row("consultation: Step Functions state transitions", len(meter.transitions), "transitions", info),
    ]
