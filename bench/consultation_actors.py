"""The people and services of one consultation, in-process: a browser's REST requests, a WebSocket, the booking
timer's execution, Lambda's SQS trigger; each a Lambda invocation on the meter."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from bench.aws_meter import Meter

WS_API_ID, WS_STAGE = "wsbench", "ws"


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
                resource = state["Resource"]
                if not resource.endswith((":sqs:sendMessage", ":dynamodb:updateItem")):
                    # The walk knows the two task kinds booking-timer.asl.json uses; a new one must be taught here.
                    raise ValueError(f"the bench's timer walk cannot run a task of {resource}")
                with self.meter.acting("Step Functions task"):
                    try:
                        if resource.endswith(":sqs:sendMessage"):
                            aws.client("sqs").send_message(
                                QueueUrl=params["QueueUrl"], MessageBody=json.dumps(params["MessageBody"])
                            )
                            self.deliver(params["QueueUrl"])
                        else:
                            aws.client("dynamodb").update_item(**params)
                    except Exception:
                        if not state.get("Catch"):
                            raise
                        name = state["Catch"][0]["Next"]
                        continue
            name = state.get("Next") if not state.get("End") else None


def sqs_to_lambda(meter: Meter, queue_url: str) -> None:
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
