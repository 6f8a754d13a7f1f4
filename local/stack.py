"""`make run`: the whole product on http://127.0.0.1:8000, no AWS account needed.

Order matters: the stage's environment and the moto endpoint are set before
the app (and any AWS client) is imported.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PASSWORD = "demo-password"
# The drop-in slots of the demo doctor move with the clock: refresh them this often.
SCHEDULE_EVERY_S = 120
MAIL_RETRY_EVERY_S = 30
RETENTION_EVERY_S = 3600  # nightly in AWS; hourly here, where the clock is the real one
RECONCILIATION_EVERY_S = 24 * 3600  # daily, as in AWS (the admin page runs one at once)


def stage_config(stage: str = "local") -> Any:
    from chalice.cli.factory import CLIFactory

    return CLIFactory(str(ROOT)).create_config_obj(chalice_stage_name=stage)


def prepare_environment(moto_port: int, stage: str = "local") -> Any:
    """Point every AWS client at moto and load the stage's variables."""
    config = stage_config(stage)
    os.environ.update(config.environment_variables)
    os.environ.update(
        {
            # The local stack says so explicitly: the app adds its development routes (the outbox) only then.
            "LOCAL_STACK": "1",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"),
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
            "MOTO_PORT": str(moto_port),
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    return config


def scheduled_event() -> dict[str, Any]:
    """An EventBridge 'Scheduled Event', as Lambda receives it."""
    import datetime as dt
    import uuid

    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"),
        "resources": [],
        "detail": {},
    }


class Stack:
    """The parts of the local stack, started in order and stopped in reverse."""

    def __init__(self, port: int, host: str = "127.0.0.1", stage: str = "local", log_level: str | None = None) -> None:
        self.port = port
        self.host = host
        self.stage = stage
        # The app's log level here, over the stage's (None: the stage's, INFO).
        self.log_level = log_level
        self._stops: list[Callable[[], None]] = []
        self.server: Any = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        from local.moto_server import MotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        moto = MotoServer()
        moto_port = moto.start()
        self._stops.append(moto.stop)
        config = prepare_environment(moto_port, self.stage)
        if self.log_level:
            os.environ["LOG_LEVEL"] = self.log_level
        os.environ["LOCAL_SENT_MAIL_URL"] = moto.sent_mail_url
        os.environ["LOCAL_SENT_SMS_URL"] = moto.sent_sms_url
        os.environ["PUBLIC_BASE_URL"] = self.url
        from local.yookassa_emulator import YooKassaEmulator, http_notifier

        payments = YooKassaEmulator(
            os.environ["YOOKASSA_SHOP_ID"],
            os.environ["YOOKASSA_SECRET_KEY"],
            http_notifier(f"{self.url}/api/payments/yookassa/webhook"),
            host=self.host,
        )
        os.environ["YOOKASSA_API_URL"] = payments.start()
        self._stops.append(payments.stop)
        self.payments = payments
        from local.coturn import Coturn

        self.turn = Coturn() if Coturn.available() else None
        if self.turn is not None:
            self.turn.start()
            self._stops.append(self.turn.stop)
            os.environ.update(
                {
                    "TURN_PROVIDER": "coturn",
                    "TURN_URLS": ",".join(self.turn.urls),
                    "TURN_SHARED_SECRET": self.turn.secret,
                }
            )
        else:
            print("coturn (turnserver) is not installed: calls will use direct connections only", flush=True)

        from chalicelib.config import reload_settings

        reload_settings()
        from local.provision import provision

        provision()
        from local.seed import seed_demo

        seed_demo(os.environ.get("LOCAL_DEMO_PASSWORD") or DEFAULT_PASSWORD)

        sys.path.insert(0, str(ROOT))
        import app as app_module
        from app import app
        from local.pages import pages
        from local.server import make_server
        from local.timer_events import TimerEventPoller
        from local.ws_gateway import WebSocketGateway

        gateway = WebSocketGateway(app_module, self.host)
        os.environ["SIGNALING_URL"] = gateway.start()
        self._stops.append(gateway.stop)
        reload_settings()
        poller = TimerEventPoller(app_module.timer_events, os.environ["TIMER_QUEUE_URL"])
        poller.start()
        self._stops.append(poller.stop)
        exports = TimerEventPoller(app_module.data_exports, os.environ["DATA_EXPORT_QUEUE_URL"], name="data-exports")
        exports.start()
        self._stops.append(exports.stop)
        from local.inbox import InboxWatcher

        self.inbox = Path(os.environ.get("LOCAL_INBOX") or ROOT / ".local" / "inbox")
        watcher = InboxWatcher(self.inbox, app_module.documents_by_email)
        watcher.start()
        self._stops.append(watcher.stop)

        self.server = make_server(app, config, self.host, self.port, ROOT / "frontend" / "dist", pages())
        thread = threading.Thread(target=self.server.server.serve_forever, name="http", daemon=True)
        thread.start()
        self._stops.append(self.server.shutdown)
        self._start_timer("schedules", SCHEDULE_EVERY_S, app_module.roll_schedules)
        self._start_timer("mail", MAIL_RETRY_EVERY_S, app_module.deliver_mail)
        self._start_timer("retention", RETENTION_EVERY_S, app_module.apply_retention)
        self._start_timer("reconciliation", RECONCILIATION_EVERY_S, app_module.reconcile_payments)

    def _start_timer(self, name: str, every_s: float, job: Callable[..., Any]) -> None:
        """What EventBridge schedules in AWS, run here on a timer (same function, same event shape)."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(every_s):
                try:
                    job(scheduled_event(), None)
                except Exception as exc:  # a failed round is logged and tried again next time
                    print(json.dumps({"event": "local_job_failed", "job": name, "error": repr(exc)}), flush=True)

        threading.Thread(target=loop, name=name, daemon=True).start()
        self._stops.append(stop.set)

    def stop(self) -> None:
        while self._stops:
            try:
                self._stops.pop()()
            except Exception:  # keep stopping the other parts
                pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    started = time.monotonic()
    # The app's line per API request (pollers ask every few seconds) would push the banner off the screen:
    # only warnings and errors unless LOG_LEVEL says otherwise (the tests' stacks ask for INFO).
    log_level = os.environ.get("LOG_LEVEL") or "WARNING"
    stack = Stack(args.port, args.host, log_level=log_level)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stack.start()
        password = os.environ.get("LOCAL_DEMO_PASSWORD") or DEFAULT_PASSWORD
        from local.seed import DEMO_ACCOUNTS

        width = max(len(email) for email, _ in DEMO_ACCOUNTS)  # one column, however long the longest login
        lines = [
            f"Telemedicine local stack is up in {time.monotonic() - started:.1f} s",
            f"  Site:    {stack.url}/",
            f"  API:     {stack.url}/api/health   (OpenAPI: {stack.url}/api/openapi.json)",
            f"  Outbox:  {stack.url}/dev/outbox",
            f"  YooKassa emulator: {stack.payments.base_url} (payment pages open from «Оплатить»)",
            f"  Documents by email: drop an .eml file into {stack.inbox}",
            f"  Signaling: {os.environ.get('SIGNALING_URL')}   TURN: "
            f"{'coturn ' + ','.join(stack.turn.urls) if stack.turn else 'none'}",
            f"  Demo logins (password: {password}):",
            *[f"    {email:<{width}}  {role}" for email, role in DEMO_ACCOUNTS],
            f"  Log: the app's {log_level} lines and above (LOG_LEVEL=INFO make run shows every API request)",
            "  Another port: make run PORT=8080",
            "Press Ctrl-C to stop.",
        ]
        print("\n".join(lines), flush=True)
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping…", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
