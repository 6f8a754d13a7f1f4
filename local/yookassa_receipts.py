"""The local YooKassa's 54-FZ receipts: checks of the receipt data a payment, a refund or a receipt carries, and the
receipts it accepted (as YooKassa's receipts API lists them).

- a payment's receipt (its items paid by card: `settlements` cashless) becomes a receipt object of its own, of kind
  `prepayment` or `payment` by its items' payment_mode, pending until the payment succeeds;
- a refund's receipt becomes a `refund` receipt;
- POST /v3/receipts (a receipt on its own, e.g. the closing receipt of a prepaid service: settlements of type
  prepayment) becomes a `closing` receipt (or `refund`, with type refund); GET /v3/receipts?payment_id=&refund_id=,
  GET /v3/receipts/{id}.

Malformed receipt data is refused as YooKassa refuses it: HTTP 400, `{"type": "error", "code": "invalid_request",
"description", "parameter"}`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

PAYMENT_MODES = {
    "full_prepayment",
    "partial_prepayment",
    "advance",
    "full_payment",
    "partial_payment",
    "credit",
    "credit_payment",
}
PREPAYMENT_MODES = {"full_prepayment", "partial_prepayment", "advance"}
VAT_CODES = set(range(1, 13))
SETTLEMENT_TYPES = {"cashless", "prepayment", "postpayment", "consideration"}


class Refused(Exception):
    """Receipt data YooKassa would refuse: what is wrong and where."""

    def __init__(self, description: str, parameter: str) -> None:
        super().__init__(description)
        self.description = description
        self.parameter = parameter

    def body(self) -> dict[str, Any]:
        return {
            "type": "error",
            "id": str(uuid.uuid4()),
            "code": "invalid_request",
            "description": self.description,
            "parameter": self.parameter,
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def money(amount: Any, parameter: str) -> Decimal:
    """An amount as YooKassa takes it: positive roubles with at most 2 decimals."""
    if not isinstance(amount, dict):
        raise Refused("Amount is missing", parameter)
    if amount.get("currency") != "RUB":
        raise Refused("Currency must be RUB", f"{parameter}.currency")
    try:
        value = Decimal(str(amount.get("value")))
    except InvalidOperation:
        raise Refused("Amount value is not a number", f"{parameter}.value") from None
    if not value.is_finite() or value <= 0:
        raise Refused("Amount value must be positive", f"{parameter}.value")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise Refused("Amount value has more than 2 decimal places", f"{parameter}.value")
    return value


def _items_total(receipt: dict[str, Any], prefix: str) -> Decimal:
    customer = receipt.get("customer") or {}
    if not (isinstance(customer, dict) and (customer.get("email") or customer.get("phone"))):
        raise Refused("Receipt customer contact is missing: email or phone is required", f"{prefix}customer")
    items = receipt.get("items")
    if not isinstance(items, list) or not items:
        raise Refused("Receipt items are missing", f"{prefix}items")
    total = Decimal(0)
    for n, item in enumerate(items):
        where = f"{prefix}items[{n}]"
        if not isinstance(item, dict) or not str(item.get("description") or "").strip():
            raise Refused("Receipt item description is missing", f"{where}.description")
        try:
            quantity = Decimal(str(item.get("quantity")))
        except InvalidOperation:
            raise Refused("Receipt item quantity is not a number", f"{where}.quantity") from None
        if not quantity.is_finite() or quantity <= 0:
            raise Refused("Receipt item quantity must be positive", f"{where}.quantity")
        price = money(item.get("amount"), f"{where}.amount")
        if item.get("vat_code") not in VAT_CODES:
            raise Refused("Receipt item vat_code is invalid", f"{where}.vat_code")
        if item.get("payment_mode") not in PAYMENT_MODES:
            raise Refused("Receipt item payment_mode is invalid", f"{where}.payment_mode")
        total += quantity * price
    return total


def check(receipt: Any, total: Decimal, prefix: str) -> None:
    """Receipt data sent with a payment or a refund of `total` roubles (prefix: "receipt.")."""
    if not isinstance(receipt, dict):
        raise Refused("Receipt must be an object", prefix.rstrip("."))
    if _items_total(receipt, prefix) != total:
        raise Refused("Sum of receipt items does not match the amount", f"{prefix}items")


def _kind_of(items: list[dict[str, Any]]) -> str:
    return "prepayment" if all(i.get("payment_mode") in PREPAYMENT_MODES for i in items) else "payment"


class Receipts:
    """The receipts one emulator accepted, by id (the private `_kind` says which of the clinic's stages it is)."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.fail_next: int = 0  # answer this many POST /v3/receipts with a 500 (fault injection)
        self.register_later = False  # a paid payment's receipt stays pending until `register` (as YooKassa's may)

    def at_payment(self) -> str:
        """The payment's receipt_registration once it is paid."""
        return "pending" if self.register_later else "succeeded"

    def register(self, payment_id: str) -> None:
        """The fiscal registration of a paid payment's pending receipt went through."""
        for record in self.items.values():
            if record.get("payment_id") == payment_id and record["status"] == "pending":
                record["status"], record["registered_at"] = "succeeded", _now()

    def _add(self, kind: str, fields: dict[str, Any], receipt: dict[str, Any], status: str) -> dict[str, Any]:
        receipt_id = f"{uuid.uuid4().hex[:8]}-0001-5000-8000-{uuid.uuid4().hex[:12]}"
        record = {
            "id": receipt_id,
            **fields,
            "status": status,
            "items": receipt["items"],
            "created_at": _now(),
            "_kind": kind,
            "_customer": receipt.get("customer"),
        }
        if status == "succeeded":
            record["registered_at"] = record["created_at"]
        self.items[receipt_id] = record
        return record

    def with_payment(self, payment: dict[str, Any], receipt: dict[str, Any]) -> None:
        """The receipt a payment carries: pending until the payment succeeds."""
        settlements = [{"type": "cashless", "amount": payment["amount"]}]
        fields = {"type": "payment", "payment_id": payment["id"], "settlements": settlements}
        self._add(_kind_of(receipt["items"]), fields, receipt, "pending")

    def payment_decided(self, payment_id: str, succeeded: bool) -> None:
        for record in self.items.values():
            if record.get("payment_id") == payment_id and record["status"] == "pending" and "refund_id" not in record:
                if not succeeded:
                    record["status"] = "canceled"
                elif not self.register_later:
                    record["status"], record["registered_at"] = "succeeded", _now()

    def with_refund(self, refund: dict[str, Any], receipt: dict[str, Any]) -> None:
        settlements = [{"type": "cashless", "amount": refund["amount"]}]
        fields = {
            "type": "refund",
            "refund_id": refund["id"],
            "payment_id": refund["payment_id"],
            "settlements": settlements,
        }
        self._add("refund", fields, receipt, self.at_payment())
        refund["receipt_registration"] = self.at_payment()

    def create(self, body: Any, payments: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """POST /v3/receipts: a receipt of its own (the closing receipt of a prepaid service); Refused if malformed."""
        if not isinstance(body, dict) or body.get("type") not in ("payment", "refund"):
            raise Refused("Receipt type must be payment or refund", "type")
        if body.get("send") is not True:
            raise Refused("Receipt must be sent: send must be true", "send")
        payment = payments.get(str(body.get("payment_id") or ""))
        if payment is None:
            raise Refused("Payment not found", "payment_id")
        if payment.get("status") != "succeeded":
            raise Refused("Payment is not succeeded", "payment_id")
        items_total = _items_total(body, "")
        settlements = body.get("settlements")
        if not isinstance(settlements, list) or not settlements:
            raise Refused("Receipt settlements are missing", "settlements")
        paid = Decimal(0)
        for n, settlement in enumerate(settlements):
            if not isinstance(settlement, dict) or settlement.get("type") not in SETTLEMENT_TYPES:
                raise Refused("Settlement type is invalid", f"settlements[{n}].type")
            paid += money(settlement.get("amount"), f"settlements[{n}].amount")
        if paid != items_total:
            raise Refused("Sum of receipt items does not match the settlements", "items")
        if paid > Decimal(str(payment["amount"]["value"])):
            raise Refused("Settlements exceed the payment amount", "settlements")
        kind = "refund" if body["type"] == "refund" else "closing"
        fields = {"type": body["type"], "payment_id": payment["id"], "settlements": settlements}
        return self._add(kind, fields, body, self.at_payment())

    def listed(self, query: dict[str, list[str]]) -> dict[str, Any]:
        """GET /v3/receipts?payment_id=…&refund_id=…: oldest first."""
        wanted = {k: v[0] for k, v in query.items() if k in ("payment_id", "refund_id") and v}
        found = [public(r) for r in self.items.values() if all(r.get(k) == v for k, v in wanted.items())]
        return {"type": "list", "items": found}

    def sequence(self, payment_id: str) -> list[dict[str, Any]]:
        """The receipts of one payment in the order they were accepted: kind, payment_mode, settlements, amount."""
        return [
            {
                "kind": r["_kind"],
                "payment_mode": [i["payment_mode"] for i in r["items"]],
                "settlements": [(s["type"], s["amount"]["value"]) for s in r["settlements"]],
                "amount": f"{sum(Decimal(str(i['amount']['value'])) * Decimal(str(i['quantity'])) for i in r['items']):.2f}",  # noqa: E501
                "status": r["status"],
            }
            for r in self.items.values()
            if r.get("payment_id") == payment_id
        ]


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def api(emulator: Any, method: str, path: str, query: str, headers: Any, read_body: Any) -> tuple[int, dict[str, Any]]:
    """/v3/receipts… for the emulator's HTTP handler: (status, body)."""
    receipts: Receipts = emulator.receipts
    parts = path.strip("/").split("/")
    if method == "GET" and len(parts) == 2:
        return 200, receipts.listed(parse_qs(query))
    if method == "GET" and len(parts) == 3:
        found = receipts.items.get(parts[2])
        return (200, public(found)) if found else (404, _error("not_found", "Not found"))
    if method != "POST" or len(parts) != 2:
        return 404, _error("not_found", "Unknown method")
    if receipts.fail_next > 0:
        receipts.fail_next -= 1
        return 500, _error("internal_server_error", "Internal server error")
    key = headers.get("Idempotence-Key", "")
    if not key:
        return 400, _error("invalid_request", "Idempotence-Key header is missing")
    try:
        body = json.loads(read_body() or b"{}")
    except ValueError:
        return 400, _error("invalid_request", "Malformed JSON")
    emulator.requests.append((method, path, body))
    try:
        return emulator._idempotent(path, key, body, lambda: public(receipts.create(body, emulator.payments)))  # type: ignore[no-any-return]
    except Refused as refused:
        return 400, refused.body()


def _error(code: str, description: str) -> dict[str, Any]:
    return {"type": "error", "id": str(uuid.uuid4()), "code": code, "description": description}


def check_data(body: dict[str, Any]) -> None:
    """A payment's or a refund's amount, and the receipt data it carries: Refused as YooKassa refuses it."""
    total = money(body.get("amount"), "amount")
    if body.get("receipt") is not None:
        check(body["receipt"], total, "receipt.")
