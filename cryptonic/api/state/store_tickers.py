"""Which tickers the store has models of: its list, for ``GET /tickers``, and a one-ticker check
for a request that names a ticker neither configured nor listed.

The list is the registry's :meth:`~cryptonic.registry.registry.Registry.tickers`, read at most
once per TTL. A request naming a ticker must not cost that listing: anyone on the public endpoint
can name an unknown ticker, as many as they like. So a ticker asked for is checked alone
(:meth:`~cryptonic.registry.registry.Registry.has_ticker`: one listing of its own folder, one
request whatever the store holds, a version published but not promoted included). The answer, yes
or no, is kept for the TTL, for at most :data:`CHECKS_KEPT` tickers (the least recently asked go
first), so naming the same unknown ticker again costs nothing and naming many costs bounded memory.

A failed check is not remembered (the request answers 503, the next one checks again); a failed
listing keeps the previous list (logged) until the TTL. Every check and listing runs inside the
request's deadline (:mod:`cryptonic.store.deadline`): none starts once the time is spent, and a
thread waits for another one's listing only as long as its own deadline allows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from cryptonic.api.state.keyed_lru import KeyedLru
from cryptonic.errors import StoreError
from cryptonic.registry.registry import Registry
from cryptonic.store.deadline import remaining, require_time

log = logging.getLogger("cryptonic.api")

CHECKS_KEPT: Final = 4096
"""One-ticker answers kept (a few dozen bytes each): far more than the tickers anyone serves, and
a bound on what a client naming random tickers can make an instance hold."""


@dataclass(frozen=True)
class _Checked:
    exists: bool
    checked_at: float


class StoreTickers:
    """The store's tickers, listed at most every ``ttl_seconds``, and one-ticker checks kept as
    long; thread-safe."""

    def __init__(
        self,
        registry: Registry,
        *,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        kept: int = CHECKS_KEPT,
    ) -> None:
        self.registry = registry
        self.ttl = float(ttl_seconds)
        self.clock = clock
        self._checked: KeyedLru[str, _Checked] = KeyedLru(kept)
        self._listed: frozenset[str] = frozenset()
        self._listed_at: float | None = None
        self._listing = threading.Lock()

    def known_now(self, ticker: str) -> bool:
        """In the last listing, or found by a check within the TTL (no I/O)."""
        if ticker in self._listed:
            return True
        checked = self._checked.get(ticker, touch=False)
        return checked is not None and checked.exists and self._within_ttl(checked)

    def has(self, ticker: str) -> bool:
        """Whether the store has a model of ``ticker``: at most one HEAD and one small LIST,
        the answer kept for the TTL; :class:`~cryptonic.errors.StoreError` when it cannot say."""
        return self._checked.get_or_load(
            ticker, lambda _: self._check(ticker), fresh=self._within_ttl
        ).exists

    def _within_ttl(self, checked: _Checked) -> bool:
        return self.clock() - checked.checked_at < self.ttl

    def _check(self, ticker: str) -> _Checked:
        require_time(f"checking whether the store has {ticker}")
        return _Checked(self.registry.has_ticker(ticker), self.clock())

    def listed(self) -> frozenset[str]:
        """The store's tickers, listed again when the last listing is older than the TTL.

        A failed listing keeps the previous one (logged) and is not retried before the TTL. A
        thread that finds another one listing waits for it at most until its own deadline, then
        answers with the list it has.
        """
        left = remaining()
        if left is None:
            self._listing.acquire()
        elif left <= 0.0 or not self._listing.acquire(timeout=left):
            return self._listed  # no time to list, or to wait for another thread's listing
        try:
            now = self.clock()
            if self._listed_at is None or now - self._listed_at >= self.ttl:
                try:
                    self._listed = frozenset(self.registry.tickers())
                except StoreError as exc:
                    log.warning("cannot list the tickers in the store: %s", exc)
                self._listed_at = now
            return self._listed
        finally:
            self._listing.release()
