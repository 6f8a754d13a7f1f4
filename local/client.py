"""A plain HTTP client for the local stack (tests, benchmarks), with a session cookie of its own.

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
        self.email: str | None = None
        self.password: str | None = None

    def call(
        self, method: str, path: str, body: Any = None, timeout: float = 30, headers: dict[str, str] | None = None
    ) -> Response:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
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

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.call("GET", path, headers=headers)

    def post(self, path: str, body: Any = None) -> Response:
        return self.call("POST", path, body if body is not None else {})


def new_patient(
    url: str, registrar: HttpApi, full_name: str = "Тестовый Пациент", password: str | None = None
) -> HttpApi:
    """A patient as the registry makes one: card opened, temporary password from the outbox,
    own password set, contract and consent signed. Signed in."""
    import re
    import uuid

    email = f"patient-{uuid.uuid4().hex[:10]}@example.org"
    card = registrar.post(
        "/patients", {"full_name": full_name, "email": email, "phone": "+7 900 100-20-30", "birth_date": "1980-01-01"}
    )
    if card.status != 201:
        raise RuntimeError(f"cannot open a card: {card.status} {card.json}")
    mail = next(m for m in HttpApi(url).get("/dev/outbox").json if m["to"] == [email])
    temporary = re.search(r"^Пароль: (\S+)$", mail["text"], re.M).group(1)  # type: ignore[union-attr]
    patient = HttpApi(url)
    patient.post("/auth/login", {"login": email, "password": temporary})
    own = password or f"own secret {uuid.uuid4().hex[:8]}"
    patient.post("/me/password", {"current_password": temporary, "new_password": own})
    patient.email, patient.password = email, own
    for doc in patient.get("/legal-documents").json:
        patient.post("/consents", {"kind": doc["kind"], "version": doc["version"], "sha256": doc["sha256"]})
    return patient


def signed_in(url: str, login: str, password: str) -> HttpApi:
    api = HttpApi(url)
    response = api.post("/auth/login", {"login": login, "password": password})
    if response.status != 200:
        raise RuntimeError(f"cannot sign in as {login}: {response.status}")
    return api
