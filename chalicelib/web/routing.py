"""Routes declare who may call them, what they take and what they answer.

`Endpoints(blueprint).get(...)` registers a Chalice route whose view:
parses and validates the input, checks access, calls the handler, and turns
the result or a domain error into a response. The same declarations feed
the OpenAPI document and the authorization matrix, so nothing is open by
default and nothing goes undocumented.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from chalice import Blueprint, Chalice, Response
from pydantic import BaseModel

from chalicelib.accounts import sessions
from chalicelib.errors import BadRequest, DomainError, PasswordChangeRequired
from chalicelib.logs import log_event
from chalicelib.web.access import Access
from chalicelib.web.addresses import address_of
from chalicelib.web.cookies import cookie_name
from chalicelib.web.errors import describe, error_body
from chalicelib.web.validation import validate

# What a route answers: a model (chalicelib.contract), `list[Model]`, or a raw schema (a PDF's bytes).
Answer = type[BaseModel] | Any


@dataclass
class RouteSpec:
    path: str
    method: str
    summary: str
    access: Access
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    # Secrets a request carries (a room link's token) come in headers: query strings reach logs.
    headers: type[BaseModel] | None = None
    ok: int = 200
    response: Answer = None
    errors: tuple[str, ...] = ()
    content_types: tuple[str, ...] = ("application/json",)
    response_type: str = "application/json"
    # Keys (model, hash, range) to read together with the session, from the request.
    prefetch: Callable[[Call], list[Any]] | None = None


ROUTES: list[RouteSpec] = []


@dataclass
class Reply:
    """A handler's answer when it needs more than a JSON body with the default status."""

    body: Any = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)


class Call:
    """One request as a handler sees it: validated input and who is asking."""

    def __init__(self, request: Any, spec: RouteSpec, params: Mapping[str, str]) -> None:
        self.request = request
        self.spec = spec
        self.params = dict(params)
        self.body: dict[str, Any] = {}
        self.query: dict[str, Any] = {}
        self.header_values: dict[str, Any] = {}
        self.cookies_to_set: list[str] = []
        self.loaded: dict[Any, Any] = {}
        context = getattr(request, "lambda_context", None)
        self.request_id: str = getattr(context, "aws_request_id", "") or ""

    @property
    def headers(self) -> Mapping[str, str]:
        headers: Mapping[str, str] = self.request.headers
        return headers

    @property
    def ip(self) -> str:
        identity = (self.request.context or {}).get("identity") or {}
        return address_of(self.request.headers, identity.get("sourceIp") or "")

    @property
    def user_agent(self) -> str:
        agent: str = self.request.headers.get("user-agent", "")
        return agent[:512]

    def prefetch(self, keys: list[Any]) -> None:
        """Resolve the session and read `keys` in one round trip; `loaded` holds what was found."""
        principal, self.loaded = sessions.resolve_with(self.cookies.get(cookie_name()), keys)
        self.__dict__["principal"] = self._usable(principal)

    @functools.cached_property
    def principal(self) -> Any:
        """The signed-in person, from the session cookie (None when signed out)."""
        return self._usable(sessions.resolve(self.cookies.get(cookie_name())))

    def _usable(self, principal: Any) -> Any:
        """A session on a temporary password only serves the routes that replace it, wherever a
        session is used (an `anyone` route that looks at it too)."""
        if principal is not None and principal.must_change_password and not self.spec.access.during_password_change:
            raise PasswordChangeRequired()
        return principal

    @functools.cached_property
    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(self.request.headers.get("cookie", ""))
        except Exception:
            return {}
        return {name: morsel.value for name, morsel in jar.items()}

    def raw_body(self) -> bytes:
        return self.request.raw_body or b""

    def json(self) -> Any:
        raw = self.raw_body()
        if not raw.strip():
            raise BadRequest("empty body", reason="empty")
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("malformed JSON", reason="json") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def json_response(
    body: Any, status: int, headers: Mapping[str, str] | None = None, cookies: list[str] | None = None
) -> Response:
    all_headers: dict[str, Any] = {"Content-Type": "application/json; charset=utf-8"}
    all_headers.update(headers or {})
    if cookies:
        all_headers["Set-Cookie"] = cookies if len(cookies) > 1 else cookies[0]
    if body is None:
        return Response(body="", status_code=status, headers=all_headers)
    text = json.dumps(body, ensure_ascii=False, default=_json_default, separators=(",", ":"))
    return Response(body=text, status_code=status, headers=all_headers)


def _run(spec: RouteSpec, handler: Callable[..., Any], request: Any, params: Mapping[str, str]) -> Response:
    call = Call(request, spec, params)
    try:
        if spec.prefetch is not None:
            call.prefetch(spec.prefetch(call))
        spec.access.check(call)
        if spec.query is not None:
            call.query = validate(spec.query, dict(request.query_params or {}))
        if spec.headers is not None:
            names = [field.alias or name for name, field in spec.headers.model_fields.items()]
            call.header_values = validate(spec.headers, {n: (request.headers or {}).get(n.lower()) for n in names})
        if spec.body is not None:
            call.body = validate(spec.body, call.json())
        result = handler(call, **params)
    except DomainError as exc:
        status, body, headers = describe(exc, call.request_id)
        return json_response(body, status, headers, call.cookies_to_set)
    except Exception:
        log_event(
            "unhandled_error",
            logging.ERROR,
            route=spec.path,
            method=spec.method,
            request_id=call.request_id,
            exc_info=True,
        )
        return json_response(error_body("internal_error", request_id=call.request_id), 500)
    if isinstance(result, Response):
        return result
    if isinstance(result, Reply):
        status = result.status or (204 if result.body is None else spec.ok)
        return json_response(result.body, status, result.headers, call.cookies_to_set + result.cookies)
    status = 204 if result is None else spec.ok
    return json_response(result, status, None, call.cookies_to_set)


class Endpoints:
    """Declares the routes of one blueprint."""

    def __init__(self, blueprint: Blueprint | Chalice, tag: str) -> None:
        self._bp = blueprint
        self._tag = tag

    def route(
        self,
        path: str,
        method: str,
        *,
        access: Access,
        summary: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        headers: type[BaseModel] | None = None,
        ok: int = 200,
        response: Answer = None,
        errors: tuple[str, ...] = (),
        content_types: tuple[str, ...] = ("application/json",),
        response_type: str = "application/json",
        prefetch: Callable[[Call], list[Any]] | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        spec = RouteSpec(
            path=path,
            method=method,
            summary=summary,
            access=access,
            tag=self._tag,
            body=body,
            query=query,
            headers=headers,
            ok=ok,
            response=response,
            errors=errors,
            content_types=content_types,
            response_type=response_type,
            prefetch=prefetch,
        )

        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            bp = self._bp

            def view(**params: str) -> Response:
                return _run(spec, handler, bp.current_request, params)

            view.__name__ = f"{handler.__name__}"
            view.__doc__ = handler.__doc__
            ROUTES.append(spec)
            bp.route(path, methods=[method], content_types=list(content_types))(view)
            return handler

        return register

    def get(self, path: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route(path, "GET", **kw)

    def post(self, path: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route(path, "POST", **kw)

    def put(self, path: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route(path, "PUT", **kw)

    def delete(self, path: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route(path, "DELETE", **kw)
