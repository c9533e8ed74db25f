"""Logging setup: plain text for people at a terminal (the CLI), JSON lines for the serving
Lambda, and the native libraries' stderr lines wrapped as JSON under any Lambda runtime.

The scheduled jobs' Lambda functions log through Powertools' Logger instead
(cryptonic.jobs.aws.logger); they share :func:`route_native_stderr` and :class:`CurrentStream`
from here. The serving function keeps this module's stdlib formatter: Powertools' Logger would
add 24 to 39 ms to its cold start (medians of fresh interpreters building the app, alternated
with this setup; its import is most of it), over the 15 ms it may cost, and serving's lines get
Lambda's request id from the runtime's own JSON handler.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import threading
from typing import Any, Literal

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


class CurrentStream(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stdout`` or ``sys.stderr`` is now (test capture, Lambda's
    stream, a redirect), not to the one that was there when logging was set up."""

    def __init__(self, name: Literal["stdout", "stderr"] = "stderr") -> None:
        self._stream_name = name
        super().__init__()

    @property
    def stream(self) -> Any:
        return getattr(sys, self._stream_name)

    @stream.setter
    def stream(self, value: Any) -> None:
        """The base class assigns it; the live ``sys`` stream always wins."""


def configure_logging(json_lines: bool | None = None, level: int = logging.INFO) -> None:
    """Route cryptonic's logs to stderr, as JSON when not on a terminal (or when asked)."""
    use_json = (not sys.stderr.isatty()) if json_lines is None else json_lines
    handler = CurrentStream("stderr")
    handler.setFormatter(
        JsonFormatter() if use_json else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger("cryptonic")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


NATIVE_LOGGER = "native"
"""Logger name of lines that C/C++ libraries wrote straight to file descriptor 2."""


def configure_lambda_logging(level: int = logging.INFO) -> None:
    """Every line the serving Lambda function writes is one JSON object, whoever wrote it.

    With the template's ``LoggingConfig: LogFormat: JSON`` (``sam local`` sets the same
    ``AWS_LAMBDA_LOG_FORMAT``), the runtime client puts a JSON handler on the root logger that
    adds the request id: cryptonic's records, Python warnings and third-party loggers propagate
    to it. Without it (a text-format deploy, a handler run outside a runtime) our own JSON
    handler does the same job. Native libraries (LiteRT's XNNPACK line) bypass Python entirely;
    their lines are wrapped too (``route_native_stderr``).
    """
    logging.captureWarnings(True)
    root = logging.getLogger()
    runtime_json = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"
    if runtime_json and root.handlers:
        ours = logging.getLogger("cryptonic")
        ours.handlers[:] = []
        ours.setLevel(level)
        ours.propagate = True
    else:
        configure_logging(json_lines=True, level=level)
        for name in ("py.warnings", "yfinance"):
            third = logging.getLogger(name)
            third.handlers[:] = list(logging.getLogger("cryptonic").handlers)
            third.propagate = False
    if os.environ.get("AWS_LAMBDA_RUNTIME_API"):
        route_native_stderr()


_native_route: threading.Thread | None = None


def route_native_stderr(formatter: logging.Formatter | None = None) -> None:
    """Re-emit each plain line written to fd 2 as a JSON record of the ``native`` logger.

    Powertools does not do this: its Logger formats Python's records, and a C++ library
    (TensorFlow's oneDNN notice, LiteRT's XNNPACK line, absl before Python's logging is set up)
    writes to the file descriptor, past every Python handler. ``formatter`` makes the records
    (a job's Powertools formatter, so they carry its request and run ids; :class:`JsonFormatter`
    by default). Lines that already are JSON objects pass through unchanged. Runs a daemon thread
    reading a pipe that replaces fd 2; idempotent. If the thread ever fails, it keeps draining the
    pipe raw so a writer can never block on a full pipe.
    """
    global _native_route
    if _native_route is not None:
        return
    original = os.dup(2)
    read_fd, write_fd = os.pipe()
    os.dup2(write_fd, 2)
    os.close(write_fd)
    # Its own handler on the original fd 2: a record of this logger must never travel back into
    # the pipe (a root handler writing to stderr would feed the loop).
    handler = logging.StreamHandler(os.fdopen(os.dup(original), "w", buffering=1))
    handler.setFormatter(formatter or JsonFormatter())
    logger = logging.getLogger(NATIVE_LOGGER)
    logger.handlers[:] = [handler]
    logger.propagate = False

    def pump() -> None:
        with os.fdopen(read_fd, "rb", buffering=0) as pipe:
            lines = iter(pipe.readline, b"")
            try:
                for raw in lines:
                    text = raw.decode("utf-8", "replace").rstrip("\n")
                    if _is_json_object(text) or not text.strip():
                        os.write(original, raw)
                    else:
                        logger.warning(text)
            except Exception:  # never stop draining: a blocked fd 2 would hang the function
                for raw in lines:
                    os.write(original, raw)

    _native_route = threading.Thread(target=pump, name="native-stderr", daemon=True)
    _native_route.start()


def _is_json_object(text: str) -> bool:
    if not text.startswith("{"):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
