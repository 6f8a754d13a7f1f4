"""A local stand-in for YooKassa: the part of its API the SDK calls, and a payment page.

- POST /v3/payments (Idempotence-Key), GET /v3/payments/{id},
  POST /v3/refunds (Idempotence-Key), GET /v3/refunds/{id}; HTTP Basic auth.
- GET /v3/payments, GET /v3/refunds: lists with `created_at` filters, `limit` and cursors (local/yookassa_lists.py).
- GET /checkout/{id}: a Russian payment page («Оплатить», a declined card, «Отменить»);
  a decision sends the notification to the app as YooKassa does, retrying until 200.
- 54-FZ receipts (local/yookassa_receipts.py): a payment's and a refund's receipt data checked and recorded,
  POST /v3/receipts (Idempotence-Key), GET /v3/receipts?payment_id=…&refund_id=…, GET /v3/receipts/{id}.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local import yookassa_lists as lists
from local import yookassa_receipts as receipts

Notify = Callable[[dict[str, Any]], int]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def http_notifier(url: str) -> Notify:
    def send(body: dict[str, Any]) -> int:
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            return int(err.code)
        except OSError:
            return 0

    return send


class YooKassaEmulator(lists.Listing):
    def __init__(
        self,
        shop_id: str,
        secret_key: str,
        notify: Notify,
        host: str = "127.0.0.1",
        port: int = 0,
        synchronous: bool = False,
        max_delivery_attempts: int = 30,
    ) -> None:
        self.shop_id = shop_id
        self.secret_key = secret_key
        self.notify = notify
        self.synchronous = synchronous
        self.max_delivery_attempts = max_delivery_attempts
        self.payments: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.receipts = receipts.Receipts()  # the 54-FZ receipts accepted, by id
        self.deliveries: list[tuple[str, str, int]] = []  # (event, object id, final status)
        self.fail_next: int = 0  # drop this many API calls before doing anything (fault injection)
        self.lose_responses: int = 0  # do this many API calls but drop the answer (fault injection)
        self.requests: list[tuple[str, str, dict[str, Any]]] = []  # (method, path, body) as received
        self._idempotency: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # Lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/v3"

    def start(self) -> str:
        self._thread = threading.Thread(target=self._server.serve_forever, name="yookassa", daemon=True)
        self._thread.start()
        return self.api_url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # The API ---------------------------------------------------------------------------

    def _idempotent(
        self, path: str, key: str, body: dict[str, Any], make: Callable[[], dict[str, Any]]
    ) -> tuple[int, dict[str, Any]]:
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self._lock:
            seen = self._idempotency.get((path, key))
            if seen is not None:
                if seen[0] != digest:
                    return 400, _error("invalid_request", "Idempotence key duplicated with another request body")
                return 200, seen[1]
            result = make()
            self._idempotency[(path, key)] = (digest, result)
            return 200, result

    def create_payment(self, body: dict[str, Any]) -> dict[str, Any]:
        payment_id = f"{uuid.uuid4().hex[:8]}-000f-5000-9000-{uuid.uuid4().hex[:12]}"
        confirmation = body.get("confirmation") or {}
        payment = {
            "id": payment_id,
            "status": "pending",
            "paid": False,
            "amount": body["amount"],
            "created_at": _now(),
            "description": body.get("description", ""),
            "metadata": body.get("metadata", {}),
            "recipient": {"account_id": self.shop_id, "gateway_id": "100001"},
            "refundable": False,
            "test": True,
        }
        if confirmation:
            payment["confirmation"] = {
                "type": "redirect",
                "confirmation_url": f"{self.base_url}/checkout/{payment_id}",
                "return_url": confirmation.get("return_url") or self.base_url,
            }
        self.payments[payment_id] = {**payment, "_receipt": body.get("receipt")}
        if body.get("receipt"):
            self.receipts.with_payment(payment, body["receipt"])
        return payment

    def public(self, payment: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in payment.items() if not k.startswith("_")}

    def create_refund(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        payment = self.payments.get(body.get("payment_id", ""))
        if payment is None:
            return 404, _error("not_found", "Payment not found")
        if payment["status"] != "succeeded":
            return 400, _error("invalid_request", "Payment is not succeeded")
        refunded = Decimal(payment.get("refunded_amount", {}).get("value", "0"))
        value = Decimal(str(body["amount"]["value"]))
        if refunded + value > Decimal(payment["amount"]["value"]):
            return 400, _error("invalid_request", "Refund amount exceeds the payment")
        refund = {
            "id": f"{uuid.uuid4().hex[:8]}-0015-5000-8000-{uuid.uuid4().hex[:12]}",
            "payment_id": payment["id"],
            "status": "succeeded",
            "created_at": _now(),
            "amount": body["amount"],
        }
        payment["refunded_amount"] = {"value": f"{refunded + value:.2f}", "currency": "RUB"}
        payment["status"] = "succeeded"
        if body.get("receipt"):
            self.receipts.with_refund(refund, body["receipt"])
        self.refunds[refund["id"]] = refund
        self._announce("refund.succeeded", refund)
        return 200, refund

    # Decisions on the payment page -------------------------------------------------------

    def decide(self, payment_id: str, outcome: str) -> dict[str, Any]:
        """'pay' (card accepted), 'decline' (card refused) or 'cancel' (the payer gave up)."""
        with self._lock:
            payment = self.payments[payment_id]
            if payment["status"] != "pending":
                return payment
            if outcome == "pay":
                payment.update(
                    status="succeeded",
                    paid=True,
                    captured_at=_now(),
                    refundable=True,
                    income_amount=payment["amount"],
                    refunded_amount={"value": "0.00", "currency": "RUB"},
                    receipt_registration=self.receipts.at_payment() if payment.get("_receipt") else None,
                    payment_method={
                        "type": "bank_card",
                        "id": payment_id,
                        "saved": False,
                        "title": "Bank card *4477",
                        "card": {
                            "first6": "555555",
                            "last4": "4477",
                            "expiry_month": "12",
                            "expiry_year": "2030",
                            "card_type": "MasterCard",
                        },
                    },
                )
                event = "payment.succeeded"
            else:
                reason = "insufficient_funds" if outcome == "decline" else "expired_on_confirmation"
                party = "payment_network" if outcome == "decline" else "yoo_money"
                payment.update(status="canceled", cancellation_details={"party": party, "reason": reason})
                event = "payment.canceled"
            payment = {k: v for k, v in payment.items() if v is not None}
            self.payments[payment_id] = payment
            self.receipts.payment_decided(payment_id, outcome == "pay")
        self._announce(event, self.public(payment))
        return payment

    def _announce(self, event: str, obj: dict[str, Any]) -> None:
        body = {"type": "notification", "event": event, "object": obj}
        if self.synchronous:
            self._deliver(event, obj["id"], body)
        else:
            threading.Thread(target=self._deliver, args=(event, obj["id"], body), daemon=True).start()

    def _deliver(self, event: str, object_id: str, body: dict[str, Any]) -> None:
        """As YooKassa does: again and again until the app answers 200 (bounded here)."""
        status = 0
        for attempt in range(self.max_delivery_attempts):
            status = self.notify(body)
            if status == 200:
                break
            time.sleep(min(0.2 * 2**attempt, 10))
        self.deliveries.append((event, object_id, status))

    # HTTP --------------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, body: dict[str, Any]) -> None:
                self._send(status, json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8")

            def _authorized(self) -> bool:
                expected = base64.b64encode(f"{emulator.shop_id}:{emulator.secret_key}".encode()).decode()
                return self.headers.get("Authorization", "") == f"Basic {expected}"

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _api(self, method: str) -> None:
                if emulator.fail_next > 0:
                    emulator.fail_next -= 1
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if not self._authorized():
                    return self._json(401, _error("invalid_credentials", "Authentication by given credentials failed"))
                path = urlsplit(self.path).path
                parts = path.strip("/").split("/")
                if parts[1:2] == ["receipts"]:
                    asked = urlsplit(self.path).query
                    return self._json(*receipts.api(emulator, method, path, asked, self.headers, self._body))
                if method == "GET" and parts[1:] in (["payments"], ["refunds"]):
                    return self._json(*emulator.list_objects(parts[1], urlsplit(self.path).query))
                if method == "GET" and len(parts) == 3 and parts[1] == "payments":
                    found = emulator.payments.get(parts[2])
                    return (
                        self._json(200, emulator.public(found))
                        if found
                        else self._json(404, _error("not_found", "Payment not found"))
                    )
                if method == "GET" and len(parts) == 3 and parts[1] == "refunds":
                    refund = emulator.refunds.get(parts[2])
                    return self._json(200, refund) if refund else self._json(404, _error("not_found", "Not found"))
                if method == "POST" and parts[1:] in (["payments"], ["refunds"]):
                    key = self.headers.get("Idempotence-Key", "")
                    if not key:
                        return self._json(400, _error("invalid_request", "Idempotence-Key header is missing"))
                    try:
                        body = json.loads(self._body() or b"{}")
                    except ValueError:
                        return self._json(400, _error("invalid_request", "Malformed JSON"))
                    emulator.requests.append((method, path, body))
                    try:
                        receipts.check_data(body)
                    except receipts.Refused as refused:
                        return self._json(400, refused.body())
                    if parts[1] == "payments":
                        status, result = emulator._idempotent(path, key, body, lambda: emulator.create_payment(body))
                        if emulator.lose_responses > 0:
                            emulator.lose_responses -= 1
                            self.close_connection = True
                            self.connection.shutdown(2)
                            return
                        return self._json(status, result)
                    outcome: dict[str, Any] = {}

                    def make_refund() -> dict[str, Any]:
                        code, refund = emulator.create_refund(body)
                        outcome["code"] = code
                        return refund

                    status, result = emulator._idempotent(path, key, body, make_refund)
                    return self._json(outcome.get("code", status) if status == 200 else status, result)
                return self._json(404, _error("not_found", "Unknown method"))

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path.startswith("/v3/"):
                    return self._api("GET")
                if path.startswith("/checkout/"):
                    payment = emulator.payments.get(path.rsplit("/", 1)[-1])
                    if payment is None:
                        return self._send(404, "Платёж не найден".encode(), "text/plain; charset=utf-8")
                    return self._send(
                        200, _checkout_page(payment, emulator.shop_id).encode(), "text/html; charset=utf-8"
                    )
                return self._send(404, b"", "text/plain")

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                if path.startswith("/v3/"):
                    return self._api("POST")
                if path.startswith("/checkout/"):
                    payment_id = path.rsplit("/", 1)[-1]
                    if payment_id not in emulator.payments:
                        return self._send(404, "Платёж не найден".encode(), "text/plain; charset=utf-8")
                    form = parse_qs(self._body().decode())
                    action = (form.get("action") or ["cancel"])[0]
                    card = (form.get("card") or [""])[0].replace(" ", "")
                    outcome = "cancel" if action == "cancel" else ("decline" if card.endswith("0002") else "pay")
                    payment = emulator.decide(payment_id, outcome)
                    return_url = (payment.get("confirmation") or {}).get("return_url") or emulator.base_url
                    return self._send(303, b"", "text/plain", {"Location": return_url})
                return self._send(404, b"", "text/plain")

        return Handler


def _error(code: str, description: str) -> dict[str, Any]:
    return {"type": "error", "id": str(uuid.uuid4()), "code": code, "description": description}


def _checkout_page(payment: dict[str, Any], shop_id: str) -> str:
    amount = html.escape(payment["amount"]["value"])
    description = html.escape(payment.get("description", ""))
    state = payment["status"]
    done = (
        ""
        if state == "pending"
        else (f'<p class="done">Платёж уже {"оплачен" if state == "succeeded" else "отменён"}.</p>')
    )
    disabled = "" if state == "pending" else " disabled"
    return f"""<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Оплата заказа — ЮKassa (локальный эмулятор)</title>
<style>
body{{font:16px/1.5 system-ui,sans-serif;background:#f2f3f5;margin:0;color:#1b1f24}}
main{{max-width:28rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 2px 8px #0001}}
.sum{{font-size:2rem;font-weight:700;margin:.25rem 0}} label{{display:block;margin:.75rem 0 .25rem}}
input,select{{width:100%;padding:.6rem;font:inherit;border:1px solid #c9ced6;border-radius:8px;box-sizing:border-box}}
button{{width:100%;padding:.8rem;font:inherit;font-weight:600;border:0;border-radius:8px;margin-top:1rem;cursor:pointer}}
.pay{{background:#0070f0;color:#fff}} .cancel{{background:#e9ecef}} .note{{color:#57606a;font-size:.85rem}}
.done{{background:#fff4ce;padding:.5rem;border-radius:6px}}
</style></head><body><main>
<p class="note">ЮKassa · локальный эмулятор для разработки · магазин {html.escape(shop_id)}</p>
<h1>Оплата заказа</h1>
<p>{description}</p>
<p class="sum">{amount} ₽</p>
{done}
<form method="post">
<label for="card">Номер карты</label>
<select id="card" name="card"{disabled}>
<option value="5555555555554477">5555 5555 5555 4477 — оплата пройдёт</option>
<option value="5555555555550002">5555 5555 5555 0002 — банк отклонит платёж</option>
</select>
<label for="expiry">Срок действия</label><input id="expiry" value="12/30" readonly>
<label for="cvc">CVC</label><input id="cvc" value="123" readonly>
<button class="pay" name="action" value="pay"{disabled}>Оплатить {amount} ₽</button>
<button class="cancel" name="action" value="cancel"{disabled}>Отменить</button>
</form>
<p class="note">Настоящие деньги здесь не списываются.</p>
</main></body></html>"""
