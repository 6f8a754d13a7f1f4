"""Structured JSON logging: one object per line, on stdout.

Callers pass named fields; nothing here formats raw requests, so query strings
(room tokens), cookies, passwords and health data never reach a line unless a
caller names them, and callers never do.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, TextIO

from chalicelib.config import settings

_LOGGER_NAME = "clinic"  # not the Chalice app's name: Chalice configures that logger itself


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["trace"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class StdoutHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stdout is at the time (Lambda, the local stack, pytest's capture)."""

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def logger() -> logging.Logger:
    log = logging.getLogger(_LOGGER_NAME)
    if not any(isinstance(h, StdoutHandler) for h in log.handlers):
        handler = StdoutHandler()
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        log.propagate = False
        log.setLevel(settings().log_level.upper())
    return log


def log_event(event: str, level: int = logging.INFO, *, exc_info: bool = False, **fields: Any) -> None:
    logger().log(level, event, exc_info=exc_info, extra={"fields": fields})
