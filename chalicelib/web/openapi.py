"""The OpenAPI 3.1 document, built from the routes' declarations and their models (chalicelib.contract).

Every response model is closed (`additionalProperties: false`, `contract.fields.Response`), so a field
the app returns without declaring it fails schemathesis and the contract tests (tests/contract.py).
`python -m chalicelib.web.openapi` prints the document; `make api-types` makes the frontend's types of it.
Building it resolves every model the routes name (chalicelib.web.routing.Model): pydantic is imported here
only when a document is made, never by the functions that merely import app.py.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import sys
import typing
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chalicelib.web.errors import status_for
from chalicelib.web.routing import ROUTES, Model, RouteSpec

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
    from pydantic_core import core_schema

TITLE = "Telemedicine consultations API"
_PARAM = re.compile(r"{([^}]+)}")
_REF = "#/components/schemas/{model}"
ERROR = Model("errors.Error")

# Errors any route may answer, whatever it declares.
COMMON_ERRORS = ("bad_request", "internal_error")


@functools.cache
def _schemas() -> type[GenerateJsonSchema]:
    """pydantic's JSON Schema as the document wants it: no generated titles, and no defaults (a response's
    default stands for a field the domain may leave out, not a value a client may assume)."""
    from pydantic.json_schema import GenerateJsonSchema

    class Schemas(GenerateJsonSchema):
        def field_title_should_be_set(self, schema: Any) -> bool:
            return False

        def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
            return self.generate_inner(schema["schema"])

        def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
            generated = super().model_schema(schema)
            generated.pop("title", None)
            return generated

    return Schemas


def _is_model(answer: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(answer, type) and issubclass(answer, BaseModel)


def _listed(answer: Any) -> type[BaseModel] | None:
    """The model of a `list[Model]` answer."""
    if typing.get_origin(answer) is list:
        (item,) = typing.get_args(answer)
        return item if _is_model(item) else None
    return None


def _model(answer: Any) -> type[BaseModel] | None:
    return answer if _is_model(answer) else _listed(answer)


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema: an optional one is left out, never sent as null."""
    options = [option for option in schema.get("anyOf", ()) if option != {"type": "null"}]
    if len(options) == 1:
        rest = {key: value for key, value in schema.items() if key != "anyOf"}
        return {**options[0], **rest}
    return schema


def _parameters(model: type[BaseModel], where: str) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True, schema_generator=_schemas())
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": where, "required": name in required, "schema": _without_null(field)}
        for name, field in schema["properties"].items()
    ]


def _operation(spec: RouteSpec, refs: dict[type[BaseModel], dict[str, Any]]) -> dict[str, Any]:
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
    if (query := spec.query) is not None:
        params += _parameters(query, "query")
    if (headers := spec.headers) is not None:
        params += _parameters(headers, "header")
    if params:
        op["parameters"] = params
    if (body := spec.body) is not None:
        op["requestBody"] = {"required": True, "content": {spec.content_types[0]: {"schema": refs[body]}}}
    ok: dict[str, Any] = {"description": "OK"}
    if spec.ok != 204 and (answer := spec.response) is not None:
        model = _model(answer)
        if model is None:
            schema = answer
        elif model is answer:
            schema = refs[model]
        else:
            schema = {"type": "array", "items": refs[model]}
        ok["content"] = {spec.response_type: {"schema": schema}}
    responses: dict[str, Any] = {str(spec.ok): ok}
    error_codes = set(COMMON_ERRORS) | set(spec.errors)
    if spec.body_ref is not None or spec.query_ref is not None:
        error_codes.add("validation_error")
    for code in sorted(error_codes):
        status = str(status_for(code))
        entry = responses.setdefault(
            status, {"description": "", "content": {"application/json": {"schema": refs[ERROR.resolve()]}}}
        )
        entry["description"] = ", ".join(filter(None, [entry["description"], code]))
    op["responses"] = responses
    return op


def document(route_table: dict[str, dict[str, Any]], title: str = TITLE, version: str = "1.0.0") -> dict[str, Any]:
    """OpenAPI for the routes present in `route_table` (the Chalice app's own)."""
    specs = {(s.path, s.method): s for s in ROUTES}
    chosen = [
        (path, method, specs[(path, method)])
        for path in sorted(route_table)
        for method in sorted(route_table[path])
        if (path, method) in specs
    ]
    from pydantic.json_schema import models_json_schema

    models: set[type[BaseModel]] = {ERROR.resolve()}
    for _, _, spec in chosen:
        models.update(m for m in (spec.body, _model(spec.response)) if m is not None)
    ordered = sorted(models, key=lambda m: (m.__name__, m.__module__))
    generated, shared = models_json_schema(
        [(m, "validation") for m in ordered], ref_template=_REF, schema_generator=_schemas()
    )
    refs = {model: generated[(model, "validation")] for model in ordered}
    paths: dict[str, Any] = {}
    for path, method, spec in chosen:
        paths.setdefault(path, {})[method.lower()] = _operation(spec, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/api"}],
        "paths": paths,
        "components": {"schemas": shared.get("$defs", {})},
    }


def undocumented(route_table: dict[str, dict[str, Any]], doc: dict[str, Any]) -> Iterable[str]:
    for path, methods in route_table.items():
        for method in methods:
            if method.lower() not in doc["paths"].get(path, {}):
                yield f"{method} {path}"


if __name__ == "__main__":
    # The deployed app's document (no local-stage routes), for the frontend's generated types.
    # The whole app, by name: app.py imports this module (through the routes), not the other way round.
    routes = importlib.import_module("app").app.routes
    json.dump(document(routes), sys.stdout, ensure_ascii=False, indent=2, sort_keys=True)
    sys.stdout.write("\n")
