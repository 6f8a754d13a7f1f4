"""The one place that talks to YooKassa, through its SDK.

The SDK sets no HTTP timeout and turns network failures into odd exceptions;
here calls get a timeout and every failure becomes `PaymentServiceUnavailable`.
Every creating call carries an idempotence key chosen by the caller.
"""

from __future__ import annotations

import functools
import ipaddress
import json
from typing import Any

from chalicelib.config import settings
from chalicelib.errors import DomainError
from chalicelib.logs import log_event
from chalicelib.secrets import secret

HTTP_TIMEOUT_S = (5, 20)  # connect, read


class PaymentServiceUnavailable(DomainError):
    code = "payment_unavailable"


class UnknownAtYooKassa(PaymentServiceUnavailable):
    """YooKassa answered 404: it knows no such payment or refund (a callee that only retries sees a failure)."""


class RefusedByYooKassa(PaymentServiceUnavailable):
    """YooKassa answered 400: the request itself is wrong (e.g. malformed receipt data); asking again will not help."""


@functools.lru_cache(maxsize=1)
def _sdk() -> Any:
    """Configure the SDK once per container (credentials from the stage's secrets)."""
    import requests  # heavy, as YooKassa's SDK (its HTTP library): only a payment needs them
    import yookassa
    from yookassa.client import ApiClient

    s = settings()
    yookassa.Configuration.configure(
        secret("YOOKASSA_SHOP_ID"), secret("YOOKASSA_SECRET_KEY"), api_url=s.yookassa_api_url
    )

    class TimedSession(requests.Session):
        def request(self, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", HTTP_TIMEOUT_S)
            return super().request(*args, **kwargs)

    class TimedClient(ApiClient):
        def get_session(self) -> Any:
            session = TimedSession()
            adapter = requests.adapters.HTTPAdapter(max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            return session

    class Payment(yookassa.Payment):
        def __init__(self) -> None:
            self.client = TimedClient()

    class Refund(yookassa.Refund):
        def __init__(self) -> None:
            self.client = TimedClient()

    class Receipt(yookassa.Receipt):
        def __init__(self) -> None:
            self.client = TimedClient()

    return {"Payment": Payment, "Refund": Refund, "Receipt": Receipt}


def _call(what: str, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    import requests  # heavy, as YooKassa's SDK (its HTTP library): only a payment needs them
    from yookassa.domain.exceptions import ApiError

    try:
        response = fn(*args, **kwargs)
    except ApiError as exc:
        log_event("yookassa_error", call=what, status=getattr(exc, "HTTP_CODE", None))
        if getattr(exc, "HTTP_CODE", None) == 404:
            raise UnknownAtYooKassa(what) from exc
        if getattr(exc, "HTTP_CODE", None) == 400:
            raise RefusedByYooKassa(what) from exc
        raise PaymentServiceUnavailable(what) from exc
    except (requests.RequestException, AttributeError, ValueError) as exc:
        # A network failure reaches the SDK's error handler without a response: AttributeError.
        log_event("yookassa_unreachable", call=what, error=type(exc).__name__)
        raise PaymentServiceUnavailable(what) from exc
    return dict(json.loads(response.json()))  # the SDK's objects, as plain JSON (amounts as strings)


def create_payment(params: dict[str, Any], idempotence_key: str) -> dict[str, Any]:
    return _call("create_payment", _sdk()["Payment"].create, params, idempotence_key)


def find_payment(payment_id: str) -> dict[str, Any]:
    return _call("find_payment", _sdk()["Payment"].find_one, payment_id)


def find_refund(refund_id: str) -> dict[str, Any]:
    return _call("find_refund", _sdk()["Refund"].find_one, refund_id)


def create_refund(params: dict[str, Any], idempotence_key: str) -> dict[str, Any]:
    return _call("create_refund", _sdk()["Refund"].create, params, idempotence_key)


def list_page(what: str, params: dict[str, Any]) -> dict[str, Any]:
    """One page of YooKassa's list of "payments", "refunds" or "receipts": `{"items": [...], "next_cursor"}`."""
    kind = {"payments": "Payment", "refunds": "Refund", "receipts": "Receipt"}[what]
    return _call(f"list_{what}", _sdk()[kind].list, params)


def create_receipt(params: dict[str, Any], idempotence_key: str) -> dict[str, Any]:
    """A receipt of its own (the closing receipt of a prepaid service)."""
    return _call("create_receipt", _sdk()["Receipt"].create, params, idempotence_key)


def find_receipts(payment_id: str) -> list[dict[str, Any]]:
    """The receipts YooKassa holds for one payment (its own, the closing one, its refunds'), with their status."""
    found = _call("find_receipts", _sdk()["Receipt"].list, {"payment_id": payment_id})
    return list(found.get("items") or [])


def reset() -> None:
    """Forget the configuration (tests point the SDK elsewhere)."""
    _sdk.cache_clear()


def trusted_source(address: str) -> bool:
    """A notification is believed to come from YooKassa only from its published addresses."""
    networks = settings().yookassa_trusted_networks
    if not address:
        return False
    if networks == "sdk":
        from yookassa.domain.common.security_helper import SecurityHelper  # heavy (YooKassa's SDK)

        try:
            return bool(SecurityHelper().is_ip_trusted(address))
        except Exception:
            return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net.strip(), strict=False) for net in networks.split(",") if net.strip())
