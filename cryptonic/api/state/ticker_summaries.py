"""What ``GET /tickers`` says of each served ticker: its champion, the served forecast's date,
age and staleness, without loading any model.

A list of hundreds of tickers must not cost hundreds of model loads, nor a store round per
ticker per request. So a ticker's summary comes, in this order, from:

1. its champion **in memory** and checked within the TTL (the champion cache): no I/O, and
   exactly what ``GET /predict`` would answer;
2. its **pointer facts** read less than ``ttl_seconds`` ago: no I/O;
3. otherwise the pointers themselves: ``champion.json`` (one GET), the forecast log's
   ``latest.json`` (one GET) and the version's manifest (one GET, once per version: manifests
   never change, :class:`~cryptonic.api.state.versions.ManifestCache`). The served forecast's
   date and time are the logged forecast's when it is newer than the version's own (the rule of
   the champion cache), else the manifest's ``data.end`` and ``created_at`` (the pipeline writes
   the version's forecast from that snapshot at that time).

The facts of a ticker are a few hundred bytes, kept per ticker the store lists (no bound needed
beyond the store's own ticker list); ``age_hours`` and ``stale`` are computed from them at each
request, so a cached fact never serves a frozen age. The route pages the list (``limit`` /
``cursor``), so one request reads at most ``limit`` tickers' pointers, and a page's misses are read
by a few threads at once (store GETs wait on the network, not the CPU).

A ticker whose pointers cannot be read is summarized from its champion in memory if there is
one (what it serves through an outage), else from the facts read before, else as having no
champion (logged); the failure is remembered for the TTL, so an unreachable store is not asked
again for every ticker of every request.

A summary is the response model itself (:class:`~cryptonic.api.schemas.TickerInfo`): one type for
one row of ``GET /tickers``, built here and serialized by :mod:`cryptonic.api.responses.tickers`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from cryptonic.api.schemas import TickerInfo
from cryptonic.api.state.champions import ChampionCache
from cryptonic.api.state.timed_bodies import rounded_age_hours
from cryptonic.api.state.versions import ManifestCache
from cryptonic.errors import CryptonicError, NotFoundError
from cryptonic.forecast.freshness import freshness_of
from cryptonic.registry.forecast_log import ForecastLog
from cryptonic.registry.registry import Registry

if TYPE_CHECKING:
    from cryptonic.forecast.calendar import Calendar

log = logging.getLogger("cryptonic.api")

READ_WORKERS: Final = 8
"""Threads that read one page's uncached pointers (S3 GETs are network-bound)."""


@dataclass(frozen=True)
class PointerFacts:
    """What a ticker's pointers say of the forecast it serves (champion None: none yet)."""

    champion: str | None
    as_of: dt.date | None
    generated_at: str | None
    calendar: Calendar
    read_at: float
    failed: bool = False
    """The last read failed: these are the facts known before it (or none)."""


class TickerSummaries:
    """Pointer facts per ticker, re-read at most every ``ttl_seconds``; thread-safe (a fact is
    one object swapped in whole; two threads reading the same ticker read the same facts)."""

    def __init__(
        self,
        registry: Registry,
        manifests: ManifestCache,
        cache: ChampionCache,
        *,
        ttl_seconds: float,
        stale_after_hours: float,
        clock: Callable[[], float] = time.monotonic,
        workers: int = READ_WORKERS,
    ) -> None:
        self.registry = registry
        self.manifests = manifests
        self.cache = cache
        self.log = ForecastLog(registry.store)
        self.ttl = float(ttl_seconds)
        self.stale_after_hours = stale_after_hours
        self.clock = clock
        self.workers = max(1, workers)
        self._facts: dict[str, PointerFacts] = {}

    def summaries(self, tickers: Sequence[str], now: dt.datetime) -> list[TickerInfo]:
        """The summaries of ``tickers`` (in that order) at ``now``; reads only the pointers of
        tickers neither loaded (and checked within the TTL) nor read within the TTL."""
        missing = [t for t in tickers if self._needs_read(t)]
        if len(missing) > 1 and self.workers > 1:
            with ThreadPoolExecutor(min(self.workers, len(missing))) as pool:
                list(pool.map(self._refresh, missing))
        else:
            for ticker in missing:
                self._refresh(ticker)
        return [self._summary(t, now) for t in tickers]

    def _needs_read(self, ticker: str) -> bool:
        if self.cache.peek(ticker, touch=False) is not None:
            return False  # a listing is no use: it must not keep a champion in the LRU
        facts = self._facts.get(ticker)
        return facts is None or self.clock() - facts.read_at >= self.ttl

    def _summary(self, ticker: str, now: dt.datetime) -> TickerInfo:
        champion = self.cache.peek(ticker, touch=False)
        facts = self._facts.get(ticker)
        if champion is None and (facts is None or facts.failed):
            champion = self.cache.held(ticker)  # the store failed us: what it serves anyway
        if champion is not None:
            fresh = champion.bodies.freshness(now)
            return TickerInfo(
                ticker=ticker,
                champion=champion.version,
                as_of=fresh.as_of,
                age_hours=rounded_age_hours(fresh.age_hours),
                stale=fresh.stale,
                loaded=True,
            )
        loaded = self.cache.held(ticker) is not None
        if facts is None or facts.champion is None or facts.as_of is None:
            version = facts.champion if facts is not None else None
            return TickerInfo(
                ticker=ticker,
                champion=version,
                as_of=None,
                age_hours=None,
                stale=False,
                loaded=loaded,
            )
        fresh = freshness_of(
            facts.as_of, facts.generated_at, facts.calendar, self.stale_after_hours, now
        )
        return TickerInfo(
            ticker=ticker,
            champion=facts.champion,
            as_of=facts.as_of,
            age_hours=rounded_age_hours(fresh.age_hours),
            stale=fresh.stale,
            loaded=loaded,
        )

    def _refresh(self, ticker: str) -> None:
        """Read the ticker's pointers; a failure keeps what was known (marked failed), logged."""
        try:
            self._facts[ticker] = self._read(ticker)
        except CryptonicError as exc:
            log.warning("cannot read the pointers of %s for /tickers: %s", ticker, exc)
            known = self._facts.get(ticker)
            self._facts[ticker] = (
                replace(known, read_at=self.clock(), failed=True)
                if known is not None
                else PointerFacts(None, None, None, "D", self.clock(), failed=True)
            )

    def _read(self, ticker: str) -> PointerFacts:
        version = pinned = self.cache.pinned_version(ticker)
        if pinned is None:
            pointer = self.registry.champion(ticker)
            version = pointer.version if pointer is not None else None
        if version is None:
            return PointerFacts(None, None, None, "D", self.clock())
        try:
            manifest = self.manifests.get(ticker, version)
        except NotFoundError:
            if pinned is not None:  # MODEL_VERSION pins this ticker to a version it lacks
                return PointerFacts(None, None, None, "D", self.clock())
            raise
        as_of = manifest.data.end
        generated_at: str | None = manifest.created_at
        latest, _ = self.log.latest(ticker)
        entry = latest.versions.get(version) if latest is not None else None
        if entry is not None and (as_of is None or entry.as_of > as_of):
            as_of, generated_at = entry.as_of, entry.generated_at
        return PointerFacts(version, as_of, generated_at, manifest.model.calendar, self.clock())
