"""The one origin of the local stack: `/api` through Chalice's own local
gateway, `/dev/outbox` (the sent-mail page), and the built frontend at `/`.

Chalice's request handler does the API work; this subclass only decides
which of the three a path belongs to, as CloudFront's behaviours do in AWS.
"""

from __future__ import annotations

import mimetypes
import os
import posixpath
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LocalChalice,
    LocalDevServer,
    ThreadedHTTPServer,
)

from chalicelib.site import security_headers
from chalicelib.web.errors import error_body

API_PREFIX = "/api"
# How many API requests run at once: Lambda gives every request an execution environment of its own, and
# this machine has two cores. Requests beyond this wait their turn in arrival order.
DEFAULT_EXECUTIONS = 4


class Executions:
    """At most `limit` requests run at a time, the rest served first come, first served.

    Without it each of 200 waiting requests has a thread competing for the one interpreter lock, and
    which one runs next is chance: some wait seconds, some are passed over for half a minute. Here a
    request that must wait sleeps on a lock of its own until the request before it in line is done.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("at least one request must be able to run")
        self._free = limit
        self._line: deque[threading.Lock] = deque()
        self._lock = threading.Lock()

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._line)

    @contextmanager
    def turn(self) -> Iterator[None]:
        ticket = None
        with self._lock:
            if self._free and not self._line:
                self._free -= 1
            else:
                ticket = threading.Lock()
                ticket.acquire()
                self._line.append(ticket)
        if ticket is not None:
            ticket.acquire()  # released by the request that hands its place over
        try:
            yield
        finally:
            with self._lock:
                if self._line:
                    self._line.popleft().release()
                else:
                    self._free += 1


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def site_headers() -> dict[str, str]:
    """The site's headers, with the local stack's other origins the pages talk to: the storage endpoint
    (presigned uploads) and the signaling WebSocket — in AWS, the bucket's and the WebSocket API's."""
    sources = " ".join(
        filter(None, (_origin(os.environ.get("AWS_ENDPOINT_URL", "")), _origin(os.environ.get("SIGNALING_URL", ""))))
    )
    return security_headers(sources)


class StackRequestHandler(ChaliceRequestHandler):
    frontend_dir: Path = Path("frontend/dist")
    api_available: bool = True
    extra_pages: ClassVar[dict[str, Any]] = {}
    executions: Executions  # set by make_server

    def log_message(self, format: str, *args: Any) -> None:
        # The app logs one JSON line per request; the raw request line may
        # carry a room token in its query string, so it is never printed.
        return

    def _generic_handle(self) -> None:
        path = urlsplit(self.path).path
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            self.path = self.path[len(API_PREFIX) :] or "/"
            # The caller's real address, as API Gateway reports it (Chalice's local gateway says 127.0.0.1).
            self.local_gateway.event_converter.LOCAL_SOURCE_IP = self.client_address[0]
            with self.executions.turn():
                return ChaliceRequestHandler._generic_handle(self)
        if path in self.extra_pages:
            return self.extra_pages[path](self)
        if self.command not in ("GET", "HEAD"):
            return self.send_bytes(405, b"", "text/plain", {"Allow": "GET, HEAD"})
        return self._serve_frontend(path)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def _method_not_allowed(self) -> None:
        # API Gateway refuses methods it does not route (TRACE, CONNECT) without reaching the app.
        import json

        body = json.dumps(error_body("method_not_allowed"), ensure_ascii=False).encode("utf-8")
        self.send_bytes(405, body, "application/json; charset=utf-8", {"Cache-Control": "no-store"})

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, CONNECT, QUERY, ...) is refused the same way.
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _send_error_response(self, error: Any) -> None:
        # API Gateway answers an unknown route with 403 "Missing Authentication
        # Token"; in AWS a gateway response turns it into our 404, and so here.
        if isinstance(error, ForbiddenError) and b"Missing Authentication Token" in (error.body or b""):
            import json

            body = json.dumps(error_body("not_found"), ensure_ascii=False).encode("utf-8")
            return self.send_bytes(404, body, "application/json; charset=utf-8", {"Cache-Control": "no-store"})
        return super()._send_error_response(error)

    def send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _serve_frontend(self, path: str) -> None:
        root = self.frontend_dir.resolve()
        relative = posixpath.normpath(unquote(path)).lstrip("/")
        candidate = (root / relative).resolve() if relative not in ("", ".") else root / "index.html"
        headers = site_headers()
        if root not in candidate.parents and candidate != root / "index.html":
            return self.send_bytes(404, b"", "text/plain", headers)
        if not candidate.is_file():
            if "." in posixpath.basename(relative):
                return self.send_bytes(404, "Файл не найден".encode(), "text/plain; charset=utf-8", headers)
            candidate = root / "index.html"  # the single-page app routes the rest
        if not candidate.is_file():
            message = "Интерфейс не собран: выполните make run".encode()
            return self.send_bytes(503, message, "text/plain; charset=utf-8", headers)
        content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        cache = "public, max-age=31536000, immutable" if "/assets/" in path else "no-cache"
        headers["Cache-Control"] = cache
        body = candidate.read_bytes()
        if compressible(content_type):
            # As CloudFront does: gzip for a browser that accepts it, and caches told that the answer varies.
            headers["Vary"] = "Accept-Encoding"
            if accepts_gzip(self.headers.get("Accept-Encoding", "")):
                headers["Content-Encoding"] = "gzip"
                body = gzipped(candidate, body)
        return self.send_bytes(200, body, content_type, headers)


COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
_gzipped: dict[tuple[str, int, int], bytes] = {}
_gzipped_lock = threading.Lock()


def compressible(content_type: str) -> bool:
    return content_type.startswith(COMPRESSIBLE)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether the header lists gzip (or *) with a weight above 0."""
    for part in accept_encoding.split(","):
        coding, *params = part.split(";")
        if coding.strip().lower() not in ("gzip", "*"):
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name.lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        return weight > 0
    return False


def gzipped(path: Path, body: bytes) -> bytes:
    """The file gzipped once per version (path, size, modification time) and kept in memory."""
    import gzip

    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _gzipped_lock:
        cached = _gzipped.get(key)
    if cached is None:
        cached = gzip.compress(body, compresslevel=9, mtime=0)
        with _gzipped_lock:
            _gzipped[key] = cached
    return cached


class StackHTTPServer(ThreadedHTTPServer):
    # Many patients at once (the contention and load tests) must queue, not be reset.
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that closed the tab or the connection before the answer was sent is no error of the
        # stack: no traceback in `make run`'s terminal for it. Anything else is printed as before.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(
    app: Any, config: Any, host: str, port: int, frontend_dir: Path, extra_pages: dict[str, Any]
) -> LocalDevServer:
    """Chalice's own local dev server, with the stack's request handler."""
    # As chalice.local.create_local_server does: a request per thread needs
    # the thread-local current_request of LocalChalice.
    if not isinstance(app, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    executions = Executions(int(os.environ.get("LOCAL_API_EXECUTIONS") or DEFAULT_EXECUTIONS))
    handler = type(
        "Handler",
        (StackRequestHandler,),
        {"frontend_dir": frontend_dir, "extra_pages": extra_pages, "executions": executions},
    )
    return LocalDevServer(app, config, host, port, handler_cls=handler, server_cls=StackHTTPServer)
