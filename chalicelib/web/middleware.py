"""Per-request concerns for every route: one JSON log line, the request id, the error envelope."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Response

from chalicelib.logs import log_event
from chalicelib.web.errors import CHALICE_ERRORS, error_body


def _request_id(request: Any) -> str:
    context = getattr(request, "lambda_context", None)
    return getattr(context, "aws_request_id", "") or ""


def _reshape_chalice_error(response: Response, request_id: str) -> Response:
    body = response.body
    if isinstance(body, dict) and "Code" in body and "error" not in body:
        code = CHALICE_ERRORS.get(body["Code"], "bad_request" if response.status_code < 500 else "internal_error")
        response.body = error_body(code, request_id=request_id if response.status_code >= 500 else None)
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


def install(app: Chalice) -> None:
    @app.middleware("http")
    def request_log(event: Any, get_response: Callable[[Any], Response]) -> Response:
        started = time.perf_counter()
        request_id = _request_id(event)
        response = _reshape_chalice_error(get_response(event), request_id)
        response.headers.setdefault("Cache-Control", "no-store")
        if request_id:
            response.headers["X-Request-Id"] = request_id
        context = event.context or {}
        log_event(
            "request",
            route=context.get("resourcePath", ""),
            method=event.method,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            request_id=request_id,
        )
        return response
