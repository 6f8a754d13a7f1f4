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

import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import botocore.client

from bench.harness import Row, at_most, row
from bench.inprocess import moto_stage

SHOP, SECRET, PASSWORD = "100001", "bench_secret_key", "demo-password"
WS_API_ID, WS_STAGE = "wsbench", "ws"

# Public on-demand prices (USD), as published on the AWS pricing pages and known to me as of 2026-12-02 (not
# re-checked online from this machine); free tiers ignored. Where a figure was uncertain, the higher plausible one.
# (us-east-1, eu-central-1 Frankfurt)
PRICES: dict[str, tuple[float, float]] = {
    # Lambda x86: per GB-second, and per request
    "lambda_gb_s": (0.0000166667, 0.0000166667),
    "lambda_request": (0.20e-6, 0.20e-6),
    # API Gateway REST API, per request (first 333 M a month); WebSocket: per message (32 KB units), per
    # connection-minute
    "apigw_rest_request": (3.50e-6, 3.70e-6),
    "apigw_ws_message": (1.00e-6, 1.14e-6),
    "apigw_ws_connection_minute": (0.25e-6, 0.285e-6),
    # DynamoDB on-demand (standard table class, after the November 2024 halving): per write / read request unit
    "dynamodb_wru": (0.625e-6, 0.7625e-6),
    "dynamodb_rru": (0.125e-6, 0.1525e-6),
    # SES: per outgoing email, and per GB of attachments
    "ses_email": (0.10e-3, 0.10e-3),
    "ses_attachment_gb": (0.12, 0.12),
    # SQS standard queue, per request (64 KB units)
    "sqs_request": (0.40e-6, 0.40e-6),
    # Step Functions standard workflows, per state transition
    "sfn_transition": (0.025e-3, 0.025e-3),
    # KMS: per request, symmetric and RSA_2048 asymmetric alike (the doctors' keys are RSA_2048,
    # infrastructure/access.py SIGNING_KEY_SPEC); the $1 a month per key is the clinic's, not a consultation's
    "kms_request": (0.03e-4, 0.03e-4),
    # S3 Standard: PUT, COPY, POST, LIST per request; GET and the rest per request
    "s3_put": (0.005e-3, 0.0054e-3),
    "s3_get": (0.0004e-3, 0.00043e-3),
    # Secrets Manager API calls; SSM standard parameters are free
    "secretsmanager_request": (0.05e-4, 0.05e-4),
}
REGIONS = ("us-east-1", "eu-central-1")
LAMBDA_MEMORY_GB = 1024 / 1024  # infrastructure/stack.py: lambda_memory_size 1024 for every function
AWS_LATENCY_S = 0.010  # added to the in-process duration per AWS request (moto in-process has no network)
S3_PUT_CLASS = {"PutObject", "CopyObject", "PostObject", "ListObjects", "ListObjectsV2", "CreateMultipartUpload"}
FREE = {("ssm", "GetParameter"), ("ssm", "GetParameters"), ("states", "StartExecution"), ("states", "StopExecution")}

# ----------------------------------------------------------------------------------------------------------
# Counting


@dataclasses.dataclass
class Call:
    phase: str
    actor: str
    service: str
    operation: str
    rru: float = 0.0
    wru: float = 0.0
    ses_bytes: int = 0
    tables: str = ""  # DynamoDB: the tables it touched, without the stage's prefix


@dataclasses.dataclass
class Invocation:
    phase: str
    kind: str  # "rest", "websocket", "sqs"
    what: str
    seconds: float
    calls: list[Call]


class Meter:
    """Every botocore request while installed, with the phase and the actor it belongs to."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.invocations: list[Invocation] = []
        self.transitions: list[tuple[str, str]] = []  # (phase, state)
        self.rest_requests: list[tuple[str, str]] = []  # (phase, "METHOD /path")
        self.ws_messages: list[tuple[str, str]] = []  # (phase, what): in and out
        self.connection_minutes = 0.0
        self.phase = "set-up"
        self.actor = "set-up"
        self.active = False
        self._local = threading.local()
        self._tables: dict[str, list[set[str]]] = {}
        self._original: Any = None

    # The hook ------------------------------------------------------------------------------------------
    def install(self) -> None:
        self._original = botocore.client.BaseClient._make_api_call
        meter = self

        def hook(client, operation_name, api_params):  # type: ignore[no-untyped-def]
            if not meter.active or getattr(meter._local, "quiet", False):
                return meter._original(client, operation_name, api_params)
            return meter._record(client, operation_name, api_params)

        botocore.client.BaseClient._make_api_call = hook

    def uninstall(self) -> None:
        botocore.client.BaseClient._make_api_call = self._original

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """The bench's own look-ups (sizes of items, the definition), never counted."""
        self._local.quiet = True
        try:
            yield
        finally:
            self._local.quiet = False

    def _record(self, client: Any, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        call = Call(self.phase, self.actor, service, operation)
        self.calls.append(call)
        if service == "dynamodb":
            call.tables = _tables_of(params)
            before = self._write_targets(client, operation, params)
            try:
                response = self._original(client, operation, params)
            except Exception:
                call.wru = sum(2 * self._units(size, 1024) for _, size, _ in before) if before else 0
                raise
            call.rru, call.wru = self._capacity(client, operation, params, response, before)
            return response
        if service == "ses" and operation in ("SendRawEmail", "SendEmail"):
            raw = params.get("RawMessage", {}).get("Data", b"")
            call.ses_bytes = len(raw) if isinstance(raw, (bytes, str)) else 0
        return self._original(client, operation, params)

    # DynamoDB capacity -----------------------------------------------------------------------------------
    @staticmethod
    def _units(size: int, block: int) -> int:
        return max(1, math.ceil(size / block))

    def _item(self, client: Any, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        with self.quiet():
            return self._original(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}).get(
                "Item"
            )

    def _index_keys(self, client: Any, table: str) -> list[set[str]]:
        if table not in self._tables:
            with self.quiet():
                described = self._original(client, "DescribeTable", {"TableName": table})["Table"]
            self._tables[table] = [
                {k["AttributeName"] for k in index["KeySchema"]}
                for index in described.get("GlobalSecondaryIndexes", []) + described.get("LocalSecondaryIndexes", [])
            ]
            self._tables[table + "#key"] = [{k["AttributeName"] for k in described["KeySchema"]}]
        return self._tables[table]

    def _write_targets(self, client: Any, operation: str, params: dict[str, Any]) -> list[tuple[str, int, Any]]:
        """(table, size of the item before, the request's item or key) of each item a write touches."""
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            parts = [(operation, params)]
        elif operation == "TransactWriteItems":
            parts = [(kind, body) for entry in params["TransactItems"] for kind, body in entry.items()]
        elif operation == "BatchWriteItem":
            parts = [
                ("PutItem" if "PutRequest" in request else "DeleteItem", {"TableName": table, **body})
                for table, requests in params["RequestItems"].items()
                for request in requests
                for body in request.values()
            ]
        else:
            return []
        targets = []
        for kind, body in parts:
            table = body["TableName"]
            key = body.get("Key")
            if key is None:
                self._index_keys(client, table)
                names = self._tables[table + "#key"][0]
                key = {k: v for k, v in body["Item"].items() if k in names}
            old = self._item(client, table, key)
            targets.append((table, item_size(old) if old else 0, (kind, key, body.get("Item"), old)))
        return targets

    def _write_units(self, client: Any, table: str, old_size: int, detail: Any) -> int:
        kind, key, new_item, old = detail
        if kind in ("PutItem", "Put"):
            new = new_item
        elif kind in ("UpdateItem", "Update"):
            new = self._item(client, table, key)
        else:  # Delete, ConditionCheck
            new = None
        size = max(old_size, item_size(new) if new else 0)
        units = self._units(size, 1024)
        if kind in ("ConditionCheck",):
            return units
        # Each secondary index holding the item (before or after) is written too (projection ALL assumed).
        for names in self._index_keys(client, table):
            if any(item is not None and names <= set(item) for item in (old, new)):
                units += self._units(size, 1024)
        return units

    def _capacity(
        self, client: Any, operation: str, params: dict[str, Any], response: dict[str, Any], before: list
    ) -> tuple[float, float]:
        consistent = 1.0 if params.get("ConsistentRead") else 0.5
        if operation == "GetItem":
            item = response.get("Item")
            return self._units(item_size(item) if item else 0, 4096) * consistent, 0.0
        if operation in ("Query", "Scan"):
            total = sum(item_size(i) for i in response.get("Items", []))
            return self._units(total, 4096) * consistent, 0.0
        if operation == "BatchGetItem":
            units = 0.0
            for table, items in response.get("Responses", {}).items():
                factor = 1.0 if params["RequestItems"][table].get("ConsistentRead") else 0.5
                units += sum(self._units(item_size(i), 4096) * factor for i in items)
            return units, 0.0
        if operation == "TransactGetItems":
            items = [r.get("Item") for r in response.get("Responses", [])]
            return sum(2 * self._units(item_size(i) if i else 0, 4096) for i in items), 0.0
        if before:
            factor = 2 if operation == "TransactWriteItems" else 1
            return 0.0, sum(factor * self._write_units(client, t, size, detail) for t, size, detail in before)
        return 0.0, 0.0

    # Phases and invocations ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def invocation(self, kind: str, actor: str, what: str) -> Iterator[None]:
        """One Lambda invocation (counted while the meter is active)."""
        previous, self.actor = self.actor, actor
        active, count = self.active, len(self.calls)
        started = time.perf_counter()
        try:
            yield
        finally:
            if active:
                self.invocations.append(
                    Invocation(self.phase, kind, what, time.perf_counter() - started, self.calls[count:])
                )
            self.actor = previous

    @contextlib.contextmanager
    def acting(self, actor: str) -> Iterator[None]:
        previous, self.actor = self.actor, actor
        try:
            yield
        finally:
            self.actor = previous


def _tables_of(params: dict[str, Any]) -> str:
    names = [params["TableName"]] if "TableName" in params else []
    names += list(params.get("RequestItems", {}))
    names += [body["TableName"] for entry in params.get("TransactItems", []) for body in entry.values()]
    short = [re.sub(r"^telemed-bench-", "", n) for n in names]
    return "+".join(dict.fromkeys(short))


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (numbers ~ half their digits)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return (len(data.lstrip("-").replace(".", "")) + 1) // 2 + 1
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: d}) for d in data)
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in data.items())
    return len(json.dumps(data))


# ----------------------------------------------------------------------------------------------------------
# The consultation


class Person:
    """A browser's cookie jar over Chalice's test client; each request is one REST invocation."""

    def __init__(self, meter: Meter, client: Any, actor: str) -> None:
        self.meter, self.client, self.actor = meter, client, actor
        self.cookie: str | None = None

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if self.cookie:
            all_headers["Cookie"] = self.cookie
        shown = re.sub(r"\d{4}-\d\d-\d\d", "{date}", re.sub(r"[0-9a-f]{32}", "{id}", path))
        what = f"{method} {shown}"
        if self.meter.active:
            self.meter.rest_requests.append((self.meter.phase, what))
        with self.meter.invocation("rest", self.actor, f"{self.actor}: {what}"):
            response = getattr(self.client.http, method.lower())(
                path, headers=all_headers, body=json.dumps(body) if body is not None else None
            )
        cookie = response.headers.get("Set-Cookie") or response.headers.get("set-cookie")
        if cookie:
            pair = cookie.split(";", 1)[0]
            self.cookie = pair if pair.split("=", 1)[1] else None
        content_type = response.headers.get("Content-Type") or response.headers.get("content-type") or ""
        response.json = json.loads(response.body) if response.body and "json" in content_type else None
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.body[:300]!r}")
        return response


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        from chalicelib.clock import set_clock

        self.current = start
        set_clock(lambda: self.current)

    def at_least(self, moment: dt.datetime) -> None:
        self.current = max(self.current, moment)


class WebSocket:
    """One participant's signaling connection through app.ws_connect / ws_message / ws_disconnect."""

    def __init__(self, meter: Meter, actor: str) -> None:
        self.meter, self.actor = meter, actor
        self.connection_id = uuid.uuid4().hex[:16]

    def _event(self, route: str, body: str | None = None, query: dict[str, str] | None = None) -> dict[str, Any]:
        event: dict[str, Any] = {
            "requestContext": {
                "routeKey": route,
                "eventType": route.strip("$").upper(),
                "connectionId": self.connection_id,
                "apiId": WS_API_ID,
                "stage": WS_STAGE,
                "domainName": f"{WS_API_ID}.execute-api.eu-central-1.amazonaws.com",
                "requestId": uuid.uuid4().hex,
            },
            "isBase64Encoded": False,
        }
        if query is not None:
            event["queryStringParameters"] = query
        if body is not None:
            event["body"] = body
        return event

    def connect(self, query: dict[str, str]) -> None:
        from app import ws_connect

        if self.meter.active:
            self.meter.ws_messages.append((self.meter.phase, "$connect"))
        with self.meter.invocation("websocket", self.actor, f"{self.actor}: $connect"):
            answer = ws_connect(self._event("$connect", query=query), None)
        assert answer["statusCode"] == 200, answer

    def send(self, frame: dict[str, Any]) -> None:
        from app import ws_message

        if self.meter.active:
            self.meter.ws_messages.append((self.meter.phase, f"in: {frame['action']}"))
        with self.meter.invocation("websocket", self.actor, f"{self.actor}: {frame['action']}"):
            ws_message(self._event("$default", body=json.dumps(frame)), None)

    def disconnect(self) -> None:
        from app import ws_disconnect

        if self.meter.active:
            self.meter.ws_messages.append((self.meter.phase, "$disconnect"))
        with self.meter.invocation("websocket", self.actor, f"{self.actor}: $disconnect"):
            ws_disconnect(self._event("$disconnect"), None)


class Timer:
    """The booking's Step Functions execution, walked state by state from its own definition.

    Each Task's request is made as Step Functions makes it (same parameters, through botocore), each state
    entered is a transition; a Wait moves the injected clock to its time. `run` yields before each Wait
    with the wait's state name, so the people can act in the meantime."""

    def __init__(self, meter: Meter, clock: Clock, booking_id: str, deliver: Callable[[str], None]) -> None:
        from chalicelib import aws

        self.meter, self.clock, self.deliver = meter, clock, deliver
        sfn = aws.stepfunctions()
        with meter.quiet():
            arn = next(
                e["executionArn"]
                for m in sfn.list_state_machines()["stateMachines"]
                for e in sfn.list_executions(stateMachineArn=m["stateMachineArn"])["executions"]
                if e["name"] == booking_id
            )
            execution = sfn.describe_execution(executionArn=arn)
            definition = sfn.describe_state_machine(stateMachineArn=execution["stateMachineArn"])["definition"]
        self.definition = json.loads(definition)
        self.input = json.loads(execution["input"])

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, inner in value.items():
                if key.endswith(".$"):
                    out[key[:-2]] = self.input[inner.removeprefix("$.")]
                else:
                    out[key] = self._resolve(inner)
            return out
        return value

    def run(self) -> Iterator[str]:
        from chalicelib import aws

        name = self.definition["StartAt"]
        while name:
            state = self.definition["States"][name]
            self.meter.transitions.append((self.meter.phase, name))
            kind = state["Type"]
            if kind == "Choice":
                chosen = next(
                    (
                        c["Next"]
                        for c in state["Choices"]
                        if self.input[c["Variable"].removeprefix("$.")] == c["BooleanEquals"]
                    ),
                    state["Default"],
                )
                name = chosen
                continue
            if kind == "Wait":
                yield name
                self.clock.at_least(dt.datetime.fromisoformat(self.input[state["TimestampPath"].removeprefix("$.")]))
            elif kind == "Task":
                params = self._resolve(state["Parameters"])
                with self.meter.acting("Step Functions task"):
                    try:
                        if state["Resource"].endswith(":sqs:sendMessage"):
                            aws.client("sqs").send_message(
                                QueueUrl=params["QueueUrl"], MessageBody=json.dumps(params["MessageBody"])
                            )
                            self.deliver(params["QueueUrl"])
                        elif state["Resource"].endswith(":dynamodb:updateItem"):
                            aws.client("dynamodb").update_item(**params)
                        else:
                            raise NotImplementedError(state["Resource"])
                    except NotImplementedError:
                        raise
                    except Exception:
                        if not state.get("Catch"):
                            raise
                        name = state["Catch"][0]["Next"]
                        continue
            name = state.get("Next") if not state.get("End") else None


def _sqs_to_lambda(meter: Meter, queue_url: str) -> None:
    """Lambda's SQS trigger: receive, hand the batch to timer_events, delete."""
    from app import timer_events
    from chalicelib import aws
    from local.timer_events import sqs_event

    sqs = aws.client("sqs")
    with meter.acting("Lambda SQS trigger"):
        found = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    if not found:
        return
    events = "+".join(json.loads(m["Body"]).get("event", "?") for m in found)
    with meter.invocation("sqs", "timer_events", f"timer_events: {events}"):
        timer_events(sqs_event(found, "arn:aws:sqs:eu-central-1:123456789012:timer", "eu-central-1"), None)
    with meter.acting("Lambda SQS trigger"):
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(found)],
        )


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
            from chalicelib.config import reload_settings
            from chalicelib.payments import gateway
            from chalicelib.secrets import secret
            from local.seed import seed_demo
            from local.yookassa_emulator import YooKassaEmulator

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

                emulator = YooKassaEmulator(SHOP, SECRET, webhook, synchronous=True, max_delivery_attempts=1)
                os.environ.update(
                    {
                        "YOOKASSA_API_URL": emulator.start(),
                        "YOOKASSA_SHOP_ID": SHOP,
                        "YOOKASSA_SECRET_KEY": SECRET,
                        "YOOKASSA_TRUSTED_NETWORKS": "127.0.0.1/32",
                    }
                )
                reload_settings()
                gateway.reset()
                secret.cache_clear()
                meter.install()
                try:
                    _story(meter, client, emulator)
                finally:
                    meter.uninstall()
                    emulator.stop()
                    set_clock(None)
                    for name in ("YOOKASSA_API_URL", "YOOKASSA_SHOP_ID", "YOOKASSA_SECRET_KEY"):
                        os.environ.pop(name, None)
                    os.environ.pop("YOOKASSA_TRUSTED_NETWORKS", None)
                    gateway.reset()
                    secret.cache_clear()
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
    patient.call("POST", "/me/password", {"current_password": temporary, "new_password": "my own good secret"})

    meter.phase = "consent"
    for doc in patient.call("GET", "/legal-documents").json:
        patient.call("POST", "/consents", {k: doc[k] for k in ("kind", "version", "sha256")})

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
    timer = Timer(meter, clock, booking["id"], lambda url: _sqs_to_lambda(meter, url))
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


# ----------------------------------------------------------------------------------------------------------
# Price and report

SERVICE_NAMES = {
    "dynamodb": "DynamoDB",
    "apigatewaymanagementapi": "API Gateway @connections",
    "ses": "SES",
    "sqs": "SQS",
    "stepfunctions": "Step Functions",
    "kms": "KMS",
    "s3": "S3",
    "ssm": "SSM",
    "secretsmanager": "Secrets Manager",
}


@dataclasses.dataclass
class Bill:
    lines: dict[str, float]  # what → USD

    @property
    def total(self) -> float:
        return sum(self.lines.values())


def lambda_seconds(meter: Meter) -> list[float]:
    """Billed duration of each invocation: in-process time plus AWS's network per request, whole ms."""
    return [math.ceil((i.seconds + AWS_LATENCY_S * len(i.calls)) * 1000) / 1000 for i in meter.invocations]


def price(meter: Meter, region: str) -> Bill:
    p = {name: pair[REGIONS.index(region)] for name, pair in PRICES.items()}
    calls = meter.calls
    count = Counter((c.service, c.operation) for c in calls)
    s3_put = sum(n for (s, o), n in count.items() if s == "s3" and o in S3_PUT_CLASS)
    s3_get = sum(n for (s, o), n in count.items() if s == "s3" and o not in S3_PUT_CLASS)
    ws_out = sum(n for (s, _), n in count.items() if s == "apigatewaymanagementapi")
    lines = {
        "Lambda requests": len(meter.invocations) * p["lambda_request"],
        "Lambda GB-s": sum(lambda_seconds(meter)) * LAMBDA_MEMORY_GB * p["lambda_gb_s"],
        "API Gateway REST requests": len(meter.rest_requests) * p["apigw_rest_request"],
        "API Gateway WebSocket messages": (len(meter.ws_messages) + ws_out) * p["apigw_ws_message"],
        "API Gateway WebSocket connection minutes": meter.connection_minutes * p["apigw_ws_connection_minute"],
        "DynamoDB write units": sum(c.wru for c in calls) * p["dynamodb_wru"],
        "DynamoDB read units": sum(c.rru for c in calls) * p["dynamodb_rru"],
        "SES emails": sum(n for (s, o), n in count.items() if s == "ses" and o.startswith("Send")) * p["ses_email"],
        "SES data": sum(c.ses_bytes for c in calls) / 1024**3 * p["ses_attachment_gb"],
        "SQS requests": sum(n for (s, _), n in count.items() if s == "sqs") * p["sqs_request"],
        "Step Functions transitions": len(meter.transitions) * p["sfn_transition"],
        "KMS requests": sum(n for (s, _), n in count.items() if s == "kms") * p["kms_request"],
        "S3 requests": s3_put * p["s3_put"] + s3_get * p["s3_get"],
        "Secrets Manager requests": sum(n for (s, _), n in count.items() if s == "secretsmanager")
        * p["secretsmanager_request"],
    }
    priced = {"dynamodb", "apigatewaymanagementapi", "ses", "sqs", "kms", "s3", "secretsmanager", "stepfunctions"}
    unpriced = {k for k in count if k[0] not in priced and k not in FREE}
    if unpriced:
        raise RuntimeError(f"no price for {sorted(unpriced)}: add one to PRICES")
    return Bill(lines)


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
