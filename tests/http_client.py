"""A plain HTTP client for tests against the local stack, with a session cookie of its own.

(urllib's cookie jar withholds Secure cookies over http://127.0.0.1, where browsers send them.)
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class Response:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class HttpApi:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/") + "/api"
        self.cookie: str | None = None

    def call(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Response:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                result = Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as err:
            result = Response(err.code, err.headers, err.read())
        set_cookie = result.headers.get("Set-Cookie")
        if set_cookie:
            pair = set_cookie.split(";", 1)[0]
            self.cookie = pair if pair.split("=", 1)[1] else None
        return result

    def get(self, path: str) -> Response:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None) -> Response:
        return self.call("POST", path, body if body is not None else {})
