"""The HTTP edge on a small app of its own: parsing, validation, error mapping, logging."""

from __future__ import annotations

import json
from typing import Annotated

import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client
from pydantic import Field

from chalicelib.contract.fields import WHOLE, Email, Maybe, Request, Text
from chalicelib.errors import NotFound
from chalicelib.web import middleware
from chalicelib.web.access import ANYONE
from chalicelib.web.routing import Call, Endpoints


class Echo(Request):
    name: Annotated[Text, Field(max_length=5)]
    email: Maybe[Email] = None
    age: Maybe[Annotated[int, Field(ge=0), WHOLE]] = None


@pytest.fixture
def mini() -> Client:
    app = Chalice(app_name="mini")
    middleware.install(app)
    bp = Blueprint(__name__)
    api = Endpoints(bp, "mini")

    @api.post(
        "/echo",
        access=ANYONE,
        summary="echo",
        body=Echo,
    )
    def echo(call: Call) -> dict:
        return call.body

    @api.get("/things/{thing_id}", access=ANYONE, summary="one thing")
    def thing(call: Call, thing_id: str) -> dict:
        raise NotFound(f"no thing {thing_id}")

    @api.get("/boom", access=ANYONE, summary="fails")
    def boom(call: Call) -> dict:
        raise RuntimeError("secret internal detail")

    app.register_blueprint(bp)
    with Client(app) as client:
        yield client


def post(client: Client, body: bytes | str) -> tuple[int, dict]:
    response = client.http.post("/echo", headers={"Content-Type": "application/json"}, body=body)
    return response.status_code, json.loads(response.body)


def test_valid_body_is_cleaned(mini: Client) -> None:
    status, body = post(mini, json.dumps({"name": " Анна ", "email": "Anna@Mail.RU"}))
    assert status == 200
    assert body == {"name": "Анна", "email": "anna@mail.ru", "age": None}


def test_malformed_json_is_bad_request(mini: Client) -> None:
    status, body = post(mini, "{not json")
    assert status == 400
    assert body["error"]["code"] == "bad_request"
    assert "Обновите страницу" in body["error"]["message"]


def test_each_wrong_field_is_named_in_russian(mini: Client) -> None:
    status, body = post(mini, json.dumps({"name": "слишком длинное", "email": "нет", "age": -1}))
    assert status == 400
    assert body["error"]["code"] == "validation_error"
    fields = body["error"]["fields"]
    assert fields["name"] == "Не длиннее 5 символов."
    assert "электронной почты" in fields["email"]
    assert fields["age"] == "Не меньше 0."


def test_missing_required_field(mini: Client) -> None:
    status, body = post(mini, json.dumps({}))
    assert status == 400
    assert body["error"]["fields"] == {"name": "Заполните это поле."}


def test_domain_error_maps_to_status(mini: Client) -> None:
    response = mini.http.get("/things/42")
    assert response.status_code == 404
    assert json.loads(response.body)["error"]["code"] == "not_found"


def test_unexpected_exception_is_500_with_request_id_and_no_trace(mini: Client, capsys: pytest.CaptureFixture) -> None:
    response = mini.http.get("/boom")
    assert response.status_code == 500
    error = json.loads(response.body)["error"]
    assert error["code"] == "internal_error"
    assert error["request_id"] and error["request_id"] in error["message"]
    assert "secret internal detail" not in response.body.decode()
    assert "Traceback" not in response.body.decode()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    failure = next(line for line in lines if line["event"] == "unhandled_error")
    assert "secret internal detail" in failure["trace"]
    assert failure["request_id"] == error["request_id"]


def test_wrong_method_uses_the_error_envelope(mini: Client) -> None:
    response = mini.http.delete("/echo")
    assert response.status_code == 405
    assert json.loads(response.body)["error"]["code"] == "method_not_allowed"


def test_one_json_log_line_per_request(mini: Client, capsys: pytest.CaptureFixture) -> None:
    mini.http.get("/things/abc?token=very-secret-token")
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["event"] == "request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["route"] == "/things/{thing_id}"
    assert line["status"] == 404
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"]
    assert "very-secret-token" not in out
