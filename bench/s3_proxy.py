"""A slow (or dead) S3 on loopback: an HTTP proxy in front of moto's server that adds a fixed
delay to every request and records each one, or accepts requests and never answers.

Why a proxy: moto answers in a millisecond or two, real S3 in tens of milliseconds, so a path
that makes 300 requests looks free on moto and takes seconds in the cloud. The proxy makes
every request cost what a round trip to S3 costs, and counts them, whichever client sends them
(the serving process's stdlib reader or botocore): no client is patched.
"""

from __future__ import annotations

import http.client
import http.server
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from types import TracebackType
from typing import Any

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "upgrade"}


@dataclass(frozen=True)
class S3Request:
    """One request the proxy received: what it asked and what moto took to answer."""

    kind: str  # GET, HEAD, LIST, HEAD-BUCKET, or another method
    key: str  # the object key, or the listing's prefix
    delimiter: str | None
    upstream_s: float  # moto's own time (0 when stalled)
    stalled: bool


def classify(method: str, target: str) -> tuple[str, str, str | None]:
    """(kind, key or prefix, delimiter) of a path-style S3 request ``/bucket[/key]?query``."""
    parsed = urllib.parse.urlsplit(target)
    _bucket, _, key = parsed.path.lstrip("/").partition("/")
    query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
    if key:
        return method, urllib.parse.unquote(key), None
    if method == "GET" and query.get("list-type") == "2":
        return "LIST", query.get("prefix", ""), query.get("delimiter")
    return f"{method}-BUCKET", "", None


class _QuietServer(http.server.ThreadingHTTPServer):
    """Says nothing when a client it serves was killed mid-request (a timed-out serving process,
    as Lambda kills one): that is the benchmark at work, not an error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SlowS3Proxy:
    """``url`` forwards to ``upstream`` after ``delay_s``; ``stalled = True`` stops answering."""

    def __init__(self, upstream: str, delay_s: float = 0.030) -> None:
        target = urllib.parse.urlsplit(upstream)
        self.upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self.delay_s = delay_s
        self.stalled = False
        self._log: list[S3Request] = []
        self._lock = threading.Lock()
        self._forwarding = 0
        self._release = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def take(self) -> list[S3Request]:
        """The requests received since the last call (and forget them)."""
        with self._lock:
            taken, self._log = self._log, []
        return taken

    def settle(self, timeout_s: float = 60.0) -> None:
        """Wait until no forwarded request is in flight (a killed client's last one), then
        forget what was recorded: it belongs to nobody's figures."""
        deadline = time.monotonic() + timeout_s
        while self._forwarding and time.monotonic() < deadline:
            time.sleep(0.05)
        self.take()

    def close(self) -> None:
        self._release.set()  # stalled handlers return (their clients see a closed connection)
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SlowS3Proxy:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _record(self, request: S3Request) -> None:
        with self._lock:
            self._log.append(request)

    def _forward(
        self, connections: threading.local, method: str, target: str, headers: Any, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """One exchange with moto on this handler thread's kept-alive connection."""
        for attempt in (1, 2):
            conn = getattr(connections, "conn", None)
            if conn is None:
                conn = connections.conn = http.client.HTTPConnection(*self.upstream, timeout=60)
            try:
                conn.request(method, target, body=body or None, headers=headers)
                response = conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                connections.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        proxy = self
        connections = threading.local()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the S3 clients expect
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms ACK wait

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _relay(self) -> None:
                kind, key, delimiter = classify(self.command, self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if proxy.stalled:
                    proxy._record(S3Request(kind, key, delimiter, 0.0, stalled=True))
                    proxy._release.wait()
                    self.close_connection = True
                    return
                with proxy._lock:
                    proxy._forwarding += 1
                try:
                    time.sleep(proxy.delay_s)
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                    started = time.perf_counter()
                    status, answer_headers, answer = proxy._forward(
                        connections, self.command, self.path, headers, body
                    )
                    upstream = time.perf_counter() - started
                finally:
                    with proxy._lock:
                        proxy._forwarding -= 1
                proxy._record(S3Request(kind, key, delimiter, upstream, stalled=False))
                try:
                    self._answer(status, answer_headers, answer)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client was killed while we forwarded

            def _answer(
                self, status: int, answer_headers: list[tuple[str, str]], answer: bytes
            ) -> None:
                self.send_response(status)
                for name, value in answer_headers:
                    if name.lower() not in HOP_BY_HOP | {"server", "date"}:
                        self.send_header(name, value)
                if self.command == "HEAD":  # no body: the object's length, as moto said it
                    given = dict((k.lower(), v) for k, v in answer_headers)
                    self.send_header("Content-Length", given.get("content-length", "0"))
                else:
                    self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer)

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _relay  # noqa: N815 - the stdlib's names

        return Handler
