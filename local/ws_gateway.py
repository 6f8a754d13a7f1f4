"""The API Gateway WebSocket API, locally: frames become the events Chalice's handlers get in AWS,
and the `@connections` management API that `app.websocket_api` posts to is served here.

Chalice's own local server has no WebSocket support; with this gateway the
handlers in app.py run unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

STAGE = "ws"


class _Context:
    """The bits of a Lambda context the handlers may read."""

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = "local-websocket"

    def get_remaining_time_in_millis(self) -> int:
        return 30000


class WebSocketGateway:
    def __init__(self, app_module: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app_module = app_module
        self.host = host
        self.port = port
        self.connections: dict[str, Any] = {}
        self._loop = asyncio.new_event_loop()
        self._server: Any = None
        self._ready = threading.Event()
        self._management = ThreadingHTTPServer((host, 0), self._management_handler())
        self._management.daemon_threads = True

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/"

    @property
    def management_domain(self) -> str:
        return f"{self.host}:{self._management.server_address[1]}"

    def start(self) -> str:
        import boto3

        api = self.app_module.app.websocket_api
        api.session = boto3.session.Session()
        # API Gateway's management endpoint is https://{domain}/{stage}; this one speaks plain http.
        api._WEBSOCKET_ENDPOINT_TEMPLATE = "http://{domain_name}/{stage}"
        api.configure(self.management_domain, STAGE)
        threading.Thread(target=self._management.serve_forever, name="ws-management", daemon=True).start()
        threading.Thread(target=self._run, name="ws-gateway", daemon=True).start()
        self._ready.wait(10)
        return self.url

    def stop(self) -> None:
        self._management.shutdown()
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)

    # Events, as API Gateway builds them ---------------------------------------------------

    def _event(
        self,
        route: str,
        kind: str,
        connection_id: str,
        body: str | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "requestContext": {
                "routeKey": route,
                "eventType": kind,
                "connectionId": connection_id,
                "domainName": self.management_domain,
                "stage": STAGE,
                "apiId": "local",
                "requestId": str(uuid.uuid4()),
                "connectedAt": int(time.time() * 1000),
                "identity": {"sourceIp": self.host},
            },
            "isBase64Encoded": False,
        }
        if query is not None:
            event["queryStringParameters"] = query or None
            event["headers"] = headers or {}
        if body is not None:
            event["body"] = body
        return event

    def _invoke(self, handler: Any, event: dict[str, Any]) -> dict[str, Any]:
        return handler(event, _Context()) or {"statusCode": 200}

    # The WebSocket side ---------------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.run_forever()

    async def _serve(self) -> None:
        from websockets.asyncio.server import serve

        self._server = await serve(
            self._on_connection, self.host, self.port, process_request=self._on_handshake, max_size=128 * 1024
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()

    async def _on_handshake(self, connection: Any, request: Any) -> Any:
        """$connect: the app decides before the upgrade, as API Gateway does."""
        connection_id = base64.urlsafe_b64encode(secrets.token_bytes(9)).decode()
        query = dict(parse_qsl(urlsplit(request.path).query))
        headers = {k: v for k, v in request.headers.raw_items()}
        event = self._event("$connect", "CONNECT", connection_id, query=query, headers=headers)
        result = await self._loop.run_in_executor(None, self._invoke, self.app_module.ws_connect, event)
        if int(result.get("statusCode", 200)) != 200:
            return connection.respond(HTTPStatus.FORBIDDEN, "Forbidden\n")
        connection.connection_id = connection_id
        self.connections[connection_id] = connection
        return None

    async def _on_connection(self, connection: Any) -> None:
        connection_id = connection.connection_id
        try:
            async for frame in connection:
                text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
                event = self._event("$default", "MESSAGE", connection_id, body=text)
                await self._loop.run_in_executor(None, self._invoke, self.app_module.ws_message, event)
        except Exception:  # a dropped socket ends the same way as a closed one
            pass
        finally:
            self.connections.pop(connection_id, None)
            event = self._event("$disconnect", "DISCONNECT", connection_id)
            await self._loop.run_in_executor(None, self._invoke, self.app_module.ws_disconnect, event)

    # The @connections management API --------------------------------------------------------

    def _post(self, connection_id: str, data: bytes) -> bool:
        connection = self.connections.get(connection_id)
        if connection is None:
            return False
        future = asyncio.run_coroutine_threadsafe(connection.send(data.decode("utf-8")), self._loop)
        try:
            future.result(timeout=5)
        except Exception:
            return False
        return True

    def _delete(self, connection_id: str) -> bool:
        connection = self.connections.get(connection_id)
        if connection is None:
            return False
        asyncio.run_coroutine_threadsafe(connection.close(), self._loop)
        return True

    def _management_handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, status: int, body: dict[str, Any] | None = None, error: str | None = None) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if error:
                    self.send_header("x-amzn-ErrorType", error)
                self.end_headers()
                self.wfile.write(data)

            def _connection_id(self) -> str | None:
                prefix = f"/{STAGE}/@connections/"
                path = urlsplit(self.path).path
                return path[len(prefix) :] if path.startswith(prefix) else None

            def do_POST(self) -> None:
                connection_id = self._connection_id()
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if connection_id and gateway._post(connection_id, data):
                    return self._answer(200)
                return self._answer(410, {"message": "Gone"}, "GoneException")

            def do_DELETE(self) -> None:
                connection_id = self._connection_id()
                if connection_id and gateway._delete(connection_id):
                    return self._answer(204)
                return self._answer(410, {"message": "Gone"}, "GoneException")

            def do_GET(self) -> None:
                connection_id = self._connection_id()
                if connection_id and connection_id in gateway.connections:
                    return self._answer(200, {"ConnectedAt": "", "Identity": {"SourceIp": gateway.host}})
                return self._answer(410, {"message": "Gone"}, "GoneException")

        return Handler
