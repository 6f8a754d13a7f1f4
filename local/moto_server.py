"""moto as the local AWS endpoint, in a process of its own, with DynamoDB made atomic.

moto's DynamoDB is not atomic under concurrent requests (two winners of one
conditional write were seen), so every DynamoDB request is handled under one
lock: conditional writes then behave as in DynamoDB.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

DYNAMODB_TARGET_PREFIX = "DynamoDB_"


class SerializedDynamoDB:
    """WSGI middleware: one DynamoDB request at a time."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith(DYNAMODB_TARGET_PREFIX):
            with self._lock:
                return list(self._app(environ, start_response))
        return self._app(environ, start_response)


SENT_MAIL_PATH = "/_local/sent-mail"


def _sent_mail(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Every message SES recorded (id and raw data), for the local outbox in the stack's process."""
    import json
    import os

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID][os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")]
    sent = [
        {"id": m.id, "raw_data": m.raw_data if isinstance(m.raw_data, str) else m.raw_data.decode("utf-8")}
        for m in list(backend.sent_messages)
        if hasattr(m, "raw_data")
    ]
    body = json.dumps(sent).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


SENT_SMS_PATH = "/_local/sent-sms"


def _sent_sms(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Every SMS SNS recorded (id, number, text), oldest first, for the local outbox."""
    import json
    import os

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    backend = sns_backends[DEFAULT_ACCOUNT_ID][os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")]
    sent = [{"id": key, "to": to, "text": text} for key, (to, text) in list(backend.sms_messages.items())]
    body = json.dumps(sent, ensure_ascii=False).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class LocalRoutes:
    """WSGI middleware: the local stack's own read of moto's SES and SNS stores."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == SENT_MAIL_PATH:
            return _sent_mail(environ, start_response)
        if environ.get("PATH_INFO") == SENT_SMS_PATH:
            return _sent_sms(environ, start_response)
        return self._app(environ, start_response)


def serve(host: str = "127.0.0.1", port: int = 0) -> None:
    """moto in this process (`python -m local.moto_server`): prints the port, serves until killed."""
    import os

    from moto.core.config import default_user_config
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    from local import moto_answers, moto_queries, moto_transactions

    # Run our Step Functions state machines for real, not just record them.
    default_user_config["stepfunctions"]["execute_state_machine"] = True
    moto_transactions.install()
    if os.environ.get("LOCAL_MOTO_SPEEDUPS", "1") != "0":
        # Only for speed under load (see each module); LOCAL_MOTO_SPEEDUPS=0 runs moto's own code, so that
        # `LOCAL_MOTO_SPEEDUPS=0 python -m bench load` shows whether they are still needed.
        moto_answers.install()
        moto_queries.install()

    class QuietHandler(MotoRequestHandler):
        """moto's every request (pollers ask each second) would bury the stack's own lines: only failures show."""

        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            if str(code).isdigit() and int(code) >= 500:
                super().log_request(code, size)

    app = LocalRoutes(SerializedDynamoDB(DomainDispatcherApplication(create_backend_app)))
    server = make_server(host, port, app, threaded=True, request_handler=QuietHandler)
    bound = int(server.server_address[1])
    # What a state machine's tasks call runs here too: point them at this server.
    # (moto's Step Functions finds its own server by MOTO_PORT.)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://{host}:{bound}",
            "MOTO_PORT": str(bound),
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
        }
    )
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    parent = os.getppid()

    def orphaned() -> None:
        # The stack that started us is gone (even by SIGKILL): so are we.
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=orphaned, name="parent-watch", daemon=True).start()
    print(bound, flush=True)
    server.serve_forever()


class MotoServer:
    """moto in a process of its own, so that it and the app each have a processor core (and a GIL)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._process: subprocess.Popen | None = None
        self._bound = 0

    def start(self) -> int:
        root = Path(__file__).resolve().parent.parent
        self._process = subprocess.Popen(
            [sys.executable, "-m", "local.moto_server", "--host", self._host, "--port", str(self._port)],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.isdigit():
            self.stop()
            raise RuntimeError(f"moto did not start (it said {line!r})")
        self._bound = int(line)
        return self._bound

    @property
    def port(self) -> int:
        return self._bound

    @property
    def sent_mail_url(self) -> str:
        return f"http://{self._host}:{self._bound}{SENT_MAIL_PATH}"

    @property
    def sent_sms_url(self) -> str:
        return f"http://{self._host}:{self._bound}{SENT_SMS_PATH}"

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    options = parser.parse_args()
    serve(options.host, options.port)
