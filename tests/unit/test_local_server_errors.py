"""`make run`'s terminal: a browser that went away mid-answer prints nothing; a real failure still prints."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest

from local.server import StackHTTPServer


@pytest.fixture
def server() -> StackHTTPServer:
    made = StackHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    yield made
    made.server_close()


def test_a_closed_connection_prints_no_traceback(server: StackHTTPServer, capsys: pytest.CaptureFixture[str]) -> None:
    for gone in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "Connection reset by peer")):
        try:
            raise gone
        except ConnectionError:
            server.handle_error(None, ("127.0.0.1", 40000))
    assert capsys.readouterr().err == ""


def test_any_other_failure_is_still_printed(server: StackHTTPServer, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise ValueError("a real defect")
    except ValueError:
        server.handle_error(None, ("127.0.0.1", 40000))
    assert "ValueError: a real defect" in capsys.readouterr().err
