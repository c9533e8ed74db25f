"""Logging setup: JSON lines for Lambda/CloudWatch (queryable with Logs Insights), plain text
for people at a terminal."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; ``extra={...}`` fields become top-level keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (test capture, Lambda's stream, a redirect)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        """The base class assigns it; the live ``sys.stderr`` always wins."""


def configure_logging(json_lines: bool | None = None, level: int = logging.INFO) -> None:
    """Route cryptonic's logs to stderr, as JSON when not on a terminal (or when asked)."""
    use_json = (not sys.stderr.isatty()) if json_lines is None else json_lines
    handler = _CurrentStderr()
    handler.setFormatter(
        JsonFormatter() if use_json else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger("cryptonic")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
