"""The foundation's promises, through the product's own app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from email.message import EmailMessage

import pytest

from chalicelib import aws as clients
from chalicelib.config import settings
from chalicelib.storage.tables import User
from tests.conftest import ROOT


def test_health(client) -> None:
    response = client.http.get("/health")
    assert response.status_code == 200
    body = json.loads(response.body)
    assert body["status"] == "ok"
    assert body["stage"] == "local"
    assert body["server_time"].endswith("+00:00")


def test_health_reports_an_unreachable_store(client) -> None:
    clients.dynamodb().delete_table(TableName=User.Meta.table_name)
    response = client.http.get("/health")
    assert response.status_code == 503
    error = json.loads(response.body)["error"]
    assert error["code"] == "unavailable"
    assert "временно недоступен" in error["message"]


def test_every_route_has_a_documented_operation(client) -> None:
    from openapi_spec_validator import validate

    from app import app
    from chalicelib.web.openapi import undocumented

    doc = json.loads(client.http.get("/openapi.json").body)
    validate(doc)
    assert doc["openapi"].startswith("3.")
    assert list(undocumented(app.routes, doc)) == []
    assert app.routes, "the app has routes"


def test_an_undeclared_route_is_caught() -> None:
    from chalice import Chalice

    from chalicelib.web.openapi import document, undocumented

    bare = Chalice(app_name="bare")

    @bare.route("/raw")
    def raw() -> dict:
        return {}

    assert list(undocumented(bare.routes, document(bare.routes, "bare"))) == ["GET /raw"]


def _import_app(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("STAGE", "LOCAL_STACK", "AWS_LAMBDA_FUNCTION_NAME")}
    return subprocess.run(
        [sys.executable, "-c", "import json, app; print(json.dumps(sorted(app.app.routes)))"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
    )


def _routes_in_stage(stage: str, **env: str) -> list[str]:
    done = _import_app({"STAGE": stage, **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_dev_routes_exist_only_when_the_local_stack_says_so() -> None:
    assert "/dev/outbox" in _routes_in_stage("local", LOCAL_STACK="1")
    for stage, env in (("local", {}), ("dev", {}), ("prod", {}), ("prod", {"LOCAL_STACK": "0"})):
        routes = _routes_in_stage(stage, **env)
        assert "/health" in routes
        assert not [r for r in routes if r.startswith("/dev")], (stage, env)


@pytest.mark.parametrize(
    "env, says",
    [
        ({}, "STAGE is not set"),
        ({"STAGE": ""}, "STAGE is not set"),
        ({"STAGE": "prod", "LOCAL_STACK": "1"}, "LOCAL_STACK=1 with STAGE=prod"),
        ({"STAGE": "local", "AWS_LAMBDA_FUNCTION_NAME": "telemed-prod-APIHandler"}, "inside AWS Lambda"),
        ({"STAGE": "local", "LOCAL_STACK": "1", "AWS_LAMBDA_FUNCTION_NAME": "x"}, "inside AWS Lambda"),
    ],
)
def test_a_function_that_does_not_name_its_stage_refuses_to_start(env: dict[str, str], says: str) -> None:
    done = _import_app(env)
    assert done.returncode != 0 and "SettingsError" in done.stderr and says in done.stderr, done.stderr


def test_every_deployed_stage_names_itself_and_never_the_local_stack() -> None:
    # What infrastructure/stack.py's stage_variables() hands to every function of the stage.
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    deployed = [name for name in config["stages"] if name != "local"]
    assert deployed, "no deployed stages"
    for name in deployed:
        variables = {**config["environment_variables"], **config["stages"][name]["environment_variables"]}
        assert variables["STAGE"] == name
        assert "LOCAL_STACK" not in variables
    assert "LOCAL_STACK" not in config.get("environment_variables", {})


def test_outbox_shows_sent_mail(client) -> None:
    msg = EmailMessage()
    msg["From"] = settings().mail_from
    msg["To"] = "patient@example.org"
    msg["Subject"] = "Запись подтверждена"
    msg["Date"] = "Thu, 26 Nov 2026 10:00:00 +0000"
    msg.set_content("Текст письма")
    msg.add_alternative("<p>Текст письма</p>", subtype="html")
    msg.add_attachment(b"BEGIN:VCALENDAR", maintype="text", subtype="calendar", filename="приём.ics")
    clients.ses().send_raw_email(RawMessage={"Data": msg.as_bytes()})

    response = client.http.get("/dev/outbox")
    assert response.status_code == 200
    [message] = json.loads(response.body)
    assert message["to"] == ["patient@example.org"]
    assert message["subject"] == "Запись подтверждена"
    assert message["text"].strip() == "Текст письма"
    assert "<p>Текст письма</p>" in message["html"]
    assert message["attachments"] == [{"filename": "приём.ics", "content_type": "text/calendar", "size": 15}]
    assert message["sent_at"] == "2026-11-26T10:00:00+00:00"
    assert message["id"]


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_stack_serves_one_origin(stack) -> None:
    status, _, body = _get(stack.url + "/api/health")
    assert status == 200 and json.loads(body)["status"] == "ok"

    status, _, body = _get(stack.url + "/api/no/such/route")
    assert status == 404
    assert json.loads(body)["error"]["code"] == "not_found"

    status, headers, body = _get(stack.url + "/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"

    # The single-page app answers its own routes.
    status, _, deep = _get(stack.url + "/cabinet/some/page")
    assert status == 200 and deep == body

    status, _, _ = _get(stack.url + "/assets/missing.js")
    assert status == 404

    status, headers, body = _get(stack.url + "/dev/outbox")
    assert status == 200 and "Отправленные письма" in body.decode()

    status, _, body = _get(stack.url + "/api/openapi.json")
    assert status == 200 and "/health" in json.loads(body)["paths"]


def test_stack_logs_json_lines_without_query_strings(stack) -> None:
    _get(stack.url + "/api/health?token=do-not-log-me")
    lines = [json.loads(line) for line in stack.log().splitlines() if line.startswith("{")]
    assert any(line["event"] == "request" and line["route"] == "/health" for line in lines)
    assert "do-not-log-me" not in stack.log()
