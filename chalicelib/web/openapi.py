"""The OpenAPI 3 document, built from the routes' own declarations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from chalicelib.web.errors import status_for
from chalicelib.web.routing import ROUTES, RouteSpec

_PARAM = re.compile(r"{([^}]+)}")

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "Для человека, по-русски"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "A message per wrong field (open: named by the request's fields)",
                },
                "request_id": {"type": "string"},
                "details": {
                    "type": "object",
                    "description": "What the error concerns, when it says more than its code",
                    "properties": {
                        "booking_id": {"type": "string", "description": "slot_already_yours: the booking holding it"},
                        "nearest": {
                            "type": "array",
                            "description": "slot_taken: the nearest free slots",
                            "items": {
                                "type": "object",
                                "required": ["id", "starts_at", "ends_at"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "starts_at": {"type": "string", "format": "date-time"},
                                    "ends_at": {"type": "string", "format": "date-time"},
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}

_COMBINATORS = ("allOf", "anyOf", "oneOf")


def closed(schema: Any) -> Any:
    """A copy of a response schema in which every object admits only the properties it declares.

    Applied to every response where the document is built, so a schema written next to a route
    cannot forget it, and a field the app returns without declaring it fails schemathesis and the
    contract tests (tests/contract.py). An object that is meant to be an open map says so itself with
    an `additionalProperties` of its own (a schema for its values, or `true`), and is kept open.
    """
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            copy[key] = {name: closed(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", *_COMBINATORS):
            copy[key] = closed(value)
        else:
            copy[key] = value
    if (copy.get("type") == "object" or "properties" in copy) and "additionalProperties" not in copy:
        copy["additionalProperties"] = False
    return copy


# Errors any route may answer, whatever it declares.
COMMON_ERRORS = ("bad_request", "internal_error")


def _operation(spec: RouteSpec) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": f"{spec.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', spec.path.lower()).strip('_') or 'root'}",
        "summary": spec.summary,
        "tags": [spec.tag],
        "x-access": spec.access.label,
    }
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in _PARAM.findall(spec.path)
    ]
    if spec.query is not None:
        for name, field in spec.query.fields.items():
            params.append({"name": name, "in": "query", "required": field.required, "schema": field.json_schema()})
    if spec.headers is not None:
        for name, field in spec.headers.fields.items():
            params.append({"name": name, "in": "header", "required": field.required, "schema": field.json_schema()})
    if params:
        op["parameters"] = params
    if spec.body is not None:
        op["requestBody"] = {"required": True, "content": {spec.content_types[0]: {"schema": spec.body.json_schema()}}}
    ok: dict[str, Any] = {"description": "OK"}
    if spec.ok != 204 and spec.response is not None:
        ok["content"] = {spec.response_type: {"schema": closed(spec.response)}}
    responses: dict[str, Any] = {str(spec.ok): ok}
    error_codes = set(COMMON_ERRORS) | set(spec.errors)
    if spec.body is not None or spec.query is not None:
        error_codes.add("validation_error")
    for code in sorted(error_codes):
        status = str(status_for(code))
        entry = responses.setdefault(
            status,
            {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        )
        entry["description"] = ", ".join(filter(None, [entry["description"], code]))
    op["responses"] = responses
    return op


def document(route_table: dict[str, dict[str, Any]], title: str, version: str = "1.0.0") -> dict[str, Any]:
    """OpenAPI for the routes present in `route_table` (the Chalice app's own)."""
    specs = {(s.path, s.method): s for s in ROUTES}
    paths: dict[str, Any] = {}
    for path in sorted(route_table):
        for method in sorted(route_table[path]):
            spec = specs.get((path, method))
            if spec is not None:
                paths.setdefault(path, {})[method.lower()] = _operation(spec)
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/api"}],
        "paths": paths,
        "components": {"schemas": {"Error": closed(ERROR_SCHEMA)}},
    }


def undocumented(route_table: dict[str, dict[str, Any]], doc: dict[str, Any]) -> Iterable[str]:
    for path, methods in route_table.items():
        for method in methods:
            if method.lower() not in doc["paths"].get(path, {}):
                yield f"{method} {path}"
