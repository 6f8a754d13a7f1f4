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
import importlib
import json
import logging
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Chalice, Response

from chalicelib.accounts import sessions
from chalicelib.errors import BadRequest, DomainError, PasswordChangeRequired
from chalicelib.logs import log_event
from chalicelib.web.access import Access
from chalicelib.web.addresses import address_of
from chalicelib.web.cookies import cookie_name
from chalicelib.web.errors import describe, error_body
from chalicelib.web.validation import validate

if TYPE_CHECKING:
    from pydantic import BaseModel

CONTRACT = "chalicelib.contract"


class Model:
    """A model of chalicelib/contract/ by name, `Model("bookings.HoldRequest")`, imported on first use.

    Every Lambda function imports app.py — the WebSocket handlers, the SQS workers and the schedules too — but
    only the API validates requests: pydantic and the models cost a cold start 120-225 ms. So routes name their
    models, and the first request that needs one imports its module (`chalicelib.contract.bookings`), once;
    the OpenAPI document resolves them all (a name that is not a model fails tests/unit/test_lazy_contract.py).
    """

    def __init__(self, name: str) -> None:
        module, _, model = name.rpartition(".")
        if not (module.isidentifier() and model.isidentifier()):
            raise ValueError(f"a contract model is named module.Model, not {name!r}")
        self.name = name

    def resolve(self) -> type[BaseModel]:
        return _contract_model(self.name)

    def answer(self) -> Any:
        """What the route answers: the model (a `ListOf` answers a list of them)."""
        return self.resolve()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class ListOf(Model):
    """`ListOf("bookings.Booking")`: a route answering `list[Booking]`."""

    def answer(self) -> Any:
        return types.GenericAlias(list, (self.resolve(),))


@functools.cache
def _contract_model(name: str) -> type[BaseModel]:
    from pydantic import BaseModel  # already loaded by the contract module: only for the check

    module, _, model = name.rpartition(".")
    found = getattr(importlib.import_module(f"{CONTRACT}.{module}"), model, None)
    if not (isinstance(found, type) and issubclass(found, BaseModel)):
        raise LookupError(f"{CONTRACT}.{module} has no model {model}")
    return found


def _model_of(ref: Model | type[BaseModel] | None) -> type[BaseModel] | None:
    return ref.resolve() if isinstance(ref, Model) else ref


# A route's input model: named (`Model`), or a class where importing it costs nothing more (tests' small apps).
Input = Model | type["BaseModel"] | None


@dataclass
class RouteSpec:
    """A route's declaration; its models (`body`, `query`, `headers`, `response`) resolve when read (once: cached)."""

    path: str
    method: str
    summary: str
    access: Access
    tag: str
    body_ref: Input = None
    query_ref: Input = None
    # Secrets a request carries (a room link's token) come in headers: query strings reach logs.
    headers_ref: Input = None
    ok: int = 200
    # What a route answers: a model (`Model`, `ListOf`), or a raw schema (a PDF's bytes).
    response_ref: Any = None
    errors: tuple[str, ...] = ()
    content_types: tuple[str, ...] = ("application/json",)
    response_type: str = "application/json"
    # Keys (model, hash, range) to read together with the session, from the request.
    prefetch: Callable[[Call], list[Any]] | None = None

    @property
    def body(self) -> type[BaseModel] | None:
        return _model_of(self.body_ref)

    @property
    def query(self) -> type[BaseModel] | None:
        return _model_of(self.query_ref)

    @property
    def headers(self) -> type[BaseModel] | None:
        return _model_of(self.headers_ref)

    @property
    def response(self) -> Any:
        """The model, `list[Model]`, or the raw schema."""
        return self.response_ref.answer() if isinstance(self.response_ref, Model) else self.response_ref


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


SESSION_SEEN = "X-Session-Seen"


def _run(spec: RouteSpec, handler: Callable[..., Any], request: Any, params: Mapping[str, str]) -> Response:
    call = Call(request, spec, params)
    try:
        if spec.prefetch is not None:
            call.prefetch(spec.prefetch(call))
        spec.access.check(call)
        if (query_model := spec.query) is not None:
            call.query = validate(query_model, dict(request.query_params or {}))
        if (headers_model := spec.headers) is not None:
            names = [field.alias or name for name, field in headers_model.model_fields.items()]
            call.header_values = validate(headers_model, {n: (request.headers or {}).get(n.lower()) for n in names})
        if (body_model := spec.body) is not None:
            call.body = validate(body_model, call.json())
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
    # The session's idle clock restarted with this request: the page counts from here before warning (WCAG 2.2.1).
    seen = {SESSION_SEEN: "1"} if call.__dict__.get("principal") is not None else {}
    if isinstance(result, Reply):
        status = result.status or (204 if result.body is None else spec.ok)
        return json_response(result.body, status, {**result.headers, **seen}, call.cookies_to_set + result.cookies)
    status = 204 if result is None else spec.ok
    return json_response(result, status, seen, call.cookies_to_set)


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
        body: Input = None,
        query: Input = None,
        headers: Input = None,
        ok: int = 200,
        response: Any = None,
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
            body_ref=body,
            query_ref=query,
            headers_ref=headers,
            ok=ok,
            response_ref=response,
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
