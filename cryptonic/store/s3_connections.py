"""The stdlib reader's connections to S3: kept alive, several at once, a bounded number.

Why a pool: the reader used to hold one connection under one lock for a whole HTTP exchange, so
the threads that read a page of tickers for ``GET /tickers`` waited for each other (16 GETs from
8 threads took ten times as long as in parallel). Now each exchange borrows a connection of its
own, and at most ``size`` are in use at once: a caller beyond that waits for one to come back,
no longer than its attempt may take to connect (a wait that ends empty-handed is a
:class:`TimeoutError`, which the reader treats as S3 not answering in time).

Why bounded, and by :data:`MAX_CONNECTIONS`: the parallelism is the caller's (the API reads a
page's tickers with 8 workers; Lambda runs one request per container), so more connections than
that would only cost TLS handshakes and file descriptors. S3 itself takes thousands of GETs a
second per prefix.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
from collections.abc import Iterator
from typing import Final

from cryptonic.store.endpoints import ReaderEndpoint

__all__ = ["MAX_CONNECTIONS", "ConnectionPool"]

MAX_CONNECTIONS: Final = 8
"""Connections one reader keeps to S3 at most: the API's read workers (``READ_WORKERS``)."""


class ConnectionPool:
    """Connections to one endpoint: idle ones kept alive, at most ``size`` in use at once."""

    def __init__(self, target: ReaderEndpoint, size: int = MAX_CONNECTIONS) -> None:
        if size < 1:
            raise ValueError(f"a connection pool needs at least one connection, got {size}")
        self._target = target
        self._size = size
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._size

    @contextlib.contextmanager
    def slot(self, wait_s: float | None) -> Iterator[None]:
        """Hold one of the ``size`` slots for an exchange; TimeoutError after ``wait_s``."""
        if not self._slots.acquire(timeout=wait_s):
            raise TimeoutError(
                f"all {self._size} connections to S3 stayed busy for {wait_s:g} s"
                if wait_s is not None
                else f"all {self._size} connections to S3 are busy"
            )
        try:
            yield
        finally:
            self._slots.release()

    def take(self, *, fresh: bool) -> tuple[http.client.HTTPConnection, bool]:
        """A connection and whether it was kept alive (``fresh``: never a kept-alive one).
        A new connection is not connected yet: the caller connects it within its timeout."""
        if not fresh:
            with self._lock:
                while self._idle:
                    conn = self._idle.pop()
                    if conn.sock is not None:
                        return conn, True
        kind = http.client.HTTPSConnection if self._target.secure else http.client.HTTPConnection
        return kind(self._target.host), False

    def give_back(self, conn: http.client.HTTPConnection) -> None:
        """Keep a connection whose exchange ended cleanly for the next one."""
        with self._lock:
            if len(self._idle) < self._size:
                self._idle.append(conn)
                return
        conn.close()
