"""Answers checked against the OpenAPI document the app publishes (`/openapi.json`).

Every object in a response schema admits only the fields it declares (the models are closed), so a
field the app returns without declaring it — or one that leaks — fails here.

    checker = Contract(doc)
    checker.problems("GET", "/bookings/abc", 200, "application/json", body)  # [] when it conforms

or, for a whole test through the in-process Chalice client:

    contract = watch(client, monkeypatch)   # every later answer is checked as it arrives
    ...                                     # drive the app
    contract.assert_clean()                 # every 2xx JSON answer matched its route's schema

Validation is `jsonschema` through `openapi_schema_validator`'s OAS 3.1 dialect (JSON Schema 2020-12,
formats such as `date-time`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from openapi_schema_validator import OAS31Validator, oas31_format_checker

_PARAM = re.compile(r"{([^}]+)}")


def _pattern(template: str) -> re.Pattern[str]:
    parts = _PARAM.split(template)
    regex = "".join(re.escape(part) if i % 2 == 0 else "[^/]+" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


@dataclass
class Contract:
    """The published document, and what was checked against it."""

    doc: dict[str, Any]
    checked: set[tuple[str, str]] = field(default_factory=set)  # (METHOD, template) answered 2xx
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Literal paths before templated ones (`/doctor/consultations` is not `/doctors/{id}`).
        templates = sorted(self.doc["paths"], key=lambda p: (p.count("{"), -len(p)))
        self._patterns = [(t, _pattern(t)) for t in templates]

    def template(self, method: str, path: str) -> str | None:
        path = urlsplit(path).path
        if path.startswith("/api/"):
            path = path[len("/api") :]
        for template, pattern in self._patterns:
            if pattern.match(path) and method.lower() in self.doc["paths"][template]:
                return template
        return None

    def schema(self, method: str, template: str, status: int, content_type: str) -> Any:
        """The declared schema of one answer; None when the status or type is not declared."""
        responses = self.doc["paths"][template][method.lower()]["responses"]
        declared = responses.get(str(status))
        if declared is None:
            return None
        media = (content_type or "").split(";")[0].strip()
        content = declared.get("content") or {}
        return (content.get(media) or {}).get("schema")

    def problems(self, method: str, path: str, status: int, content_type: str, body: Any) -> list[str]:
        """What is wrong with one 2xx answer (an empty list when it conforms)."""
        template = self.template(method, path)
        where = f"{method.upper()} {path} → {status}"
        if template is None:
            return [f"{where}: no such operation in the document"]
        responses = self.doc["paths"][template][method.lower()]["responses"]
        if str(status) not in responses:
            return [f"{where}: status not declared (declared: {sorted(responses)})"]
        declared = responses[str(status)].get("content") or {}
        media = (content_type or "").split(";")[0].strip()
        if not declared:
            if body not in (None, b"", ""):
                return [f"{where}: a body ({media or 'no type'}) where none is declared"]
            return []
        if media not in declared:
            return [f"{where}: content type {media!r} not declared ({sorted(declared)})"]
        if "json" not in media:
            return []
        if isinstance(body, (bytes, str)):
            try:
                body = json.loads(body)
            except ValueError:
                return [f"{where}: not JSON"]
        schema = {**declared[media]["schema"], "components": self.doc.get("components", {})}
        validator = OAS31Validator(schema, format_checker=oas31_format_checker)
        return [
            f"{template} {method.upper()} → {status}: at {'/'.join(map(str, error.absolute_path)) or '(body)'}: "
            f"{error.message}"
            for error in validator.iter_errors(body)
        ]

    def error_problems(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """What is wrong with an error answer's body: it must be the Error envelope, nothing more."""
        try:
            data = json.loads(body) if isinstance(body, (bytes, str)) else body
        except ValueError:
            return [f"{method.upper()} {path} → {status}: an error that is not JSON"]
        schema = {"$ref": "#/components/schemas/Error", "components": self.doc.get("components", {})}
        return [
            f"{method.upper()} {path} → {status}: at {'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
            for e in OAS31Validator(schema).iter_errors(data)
        ]

    def check(self, method: str, path: str, status: int, headers: dict[str, Any], body: Any) -> list[str]:
        """Record one answer: a 2xx against its route's schema, an error against the Error envelope."""
        content_type = next((v for k, v in (headers or {}).items() if k.lower() == "content-type"), "")
        template = self.template(method, path)
        if not 200 <= status < 300:
            found = self.error_problems(method, path, status, body) if template and "json" in content_type else []
            self.failures.extend(found)
            return found
        if template is not None:
            self.checked.add((method.upper(), template))
        found = self.problems(method, path, status, content_type, body)
        self.failures.extend(found)
        return found

    def assert_clean(self) -> None:
        unique = list(dict.fromkeys(self.failures))
        assert unique == [], "answers outside their declared schema:\n" + "\n".join(unique)


def fetch_document(client: Any) -> dict[str, Any]:
    response = client.http.get("/openapi.json")
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def watch(client: Any, monkeypatch: Any) -> Contract:
    """Check every answer the in-process Chalice client gets from now on (for this test)."""
    contract = Contract(fetch_document(client))
    http = client.http
    original = http.request

    def request(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Any:
        response = original(method, path, headers=headers, body=body)
        contract.check(method, path, response.status_code, response.headers, response.body)
        return response

    monkeypatch.setattr(http, "request", request)
    return contract
