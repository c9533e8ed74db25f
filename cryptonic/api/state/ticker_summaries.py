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
``cursor``), and one request reads the pointers of at most :data:`READS_PER_REQUEST` tickers of
its page (at most three GETs each: 48 S3 requests, under the 60 one request may cost on a store
of 1,000 tickers), by a few threads at once (store GETs wait on the network, not the CPU). The
page's other misses are flagged ``unread`` (with what was known of them, if anything) and read by
the next requests: a page of 200 costs its first reader 16 tickers' reads, not 200.

A page's reads run inside the request's deadline (:mod:`cryptonic.api.request_deadline`): the
readers start no read once the time is spent, and the answer does not wait for the reads still
running then. So a slow store gives a page in time with some rows flagged ``unread``, and the next
request reads what this one could not (what was read is kept for the TTL).

A ticker whose pointers cannot be read (``unread``) is summarized from its champion in memory if
there is one (what it serves through an outage), else from the facts read before, else as having
no champion (logged). A failure is remembered for the TTL, so an unreachable store is not asked
again for every ticker of every request; a read cut short by the deadline is not (the store may
only be slow).

A summary is the response model itself (:class:`~cryptonic.api.schemas.TickerInfo`): one type for
one row of ``GET /tickers``, built here and serialized by :mod:`cryptonic.api.responses.tickers`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextvars import copy_context
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from cryptonic.api.schemas import TickerInfo
from cryptonic.api.state.champions import Champion, ChampionCache
from cryptonic.api.state.timed_bodies import rounded_age_hours
from cryptonic.api.state.versions import ManifestCache
from cryptonic.errors import CryptonicError, NotFoundError
from cryptonic.forecast.freshness import freshness_of
from cryptonic.registry.forecast_log import ForecastLog
from cryptonic.registry.registry import Registry
from cryptonic.store.deadline import remaining

if TYPE_CHECKING:
    from cryptonic.forecast.calendar import Calendar

log = logging.getLogger("cryptonic.api")

READ_WORKERS: Final = 8
"""Threads that read one page's uncached pointers (S3 GETs are network-bound)."""
READS_PER_REQUEST: Final = 16
"""Most tickers whose pointers one request reads (each at most 3 GETs): the page's others wait
for the next requests, flagged ``unread``. Measured on 1,000 tickers behind a 30 ms S3
(bench/serving_scale.py): a page of 200 read whole cost 260 to 390 GETs and the request's whole
deadline."""


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
        reads_per_request: int = READS_PER_REQUEST,
    ) -> None:
        self.registry = registry
        self.manifests = manifests
        self.cache = cache
        self.log = ForecastLog(registry.store)
        self.ttl = float(ttl_seconds)
        self.stale_after_hours = stale_after_hours
        self.clock = clock
        self.workers = max(1, workers)
        self.reads_per_request = max(1, reads_per_request)
        self._facts: dict[str, PointerFacts] = {}

    def summaries(self, tickers: Sequence[str], now: dt.datetime) -> list[TickerInfo]:
        """The summaries of ``tickers`` (in that order) at ``now``; reads only the pointers of
        tickers neither loaded (and checked within the TTL) nor read within the TTL, of the
        first ``reads_per_request`` of them, and only while the request's deadline lasts: the
        rows it did not read are flagged ``unread``."""
        missing = [t for t in tickers if self._needs_read(t)]
        unread = set(missing) - self._read_in_time(missing[: self.reads_per_request])
        return [self._summary(t, now, unread=t in unread) for t in tickers]

    def _read_in_time(self, missing: Sequence[str]) -> set[str]:
        """Read the pointers of ``missing`` by a few threads at once until the deadline: the
        tickers read. A thread starts no read once the time is spent, and the answer does not
        wait for reads still running then (they finish on their own, for the next request)."""
        if len(missing) <= 1 or self.workers == 1:
            return {t for t in missing if self._refresh_in_time(t)}
        pool = ThreadPoolExecutor(
            min(self.workers, len(missing)), thread_name_prefix="cryptonic-tickers"
        )
        try:  # each read in a copy of this context: the deadline goes with it
            reads = {pool.submit(copy_context().run, self._refresh_in_time, t): t for t in missing}
            done, _ = wait(reads, timeout=remaining())
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return {reads[f] for f in done if f.result()}

    def _needs_read(self, ticker: str) -> bool:
        if self.cache.peek(ticker, touch=False) is not None:
            return False  # a listing is no use: it must not keep a champion in the LRU
        facts = self._facts.get(ticker)
        return facts is None or self.clock() - facts.read_at >= self.ttl

    def _summary(self, ticker: str, now: dt.datetime, *, unread: bool) -> TickerInfo:
        """The row of ``ticker``; ``unread``: its pointers needed a read this request did not
        complete (a read that failed within the TTL counts too)."""
        champion = self.cache.peek(ticker, touch=False)
        if champion is not None:
            return self._from_champion(champion, now, unread=False)
        facts = self._facts.get(ticker)
        unread = unread or (facts is not None and facts.failed)
        loaded = self.cache.held(ticker)
        if loaded is not None and (unread or facts is None):
            return self._from_champion(loaded, now, unread=unread)
        if facts is None or facts.champion is None or facts.as_of is None:
            return TickerInfo(
                ticker=ticker,
                champion=facts.champion if facts is not None else None,
                as_of=None,
                age_hours=None,
                stale=False,
                loaded=loaded is not None,
                unread=unread,
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
            loaded=loaded is not None,
            unread=unread,
        )

    @staticmethod
    def _from_champion(champion: Champion, now: dt.datetime, *, unread: bool) -> TickerInfo:
        """The row of a champion in memory: exactly what ``GET /predict`` serves from it."""
        fresh = champion.bodies.freshness(now)
        return TickerInfo(
            ticker=champion.ticker,
            champion=champion.version,
            as_of=fresh.as_of,
            age_hours=rounded_age_hours(fresh.age_hours),
            stale=fresh.stale,
            loaded=True,
            unread=unread,
        )

    def _refresh_in_time(self, ticker: str) -> bool:
        """Read the ticker's pointers unless the request's time is spent: whether they were read."""
        return not _time_spent() and self._refresh(ticker)

    def _refresh(self, ticker: str) -> bool:
        """Read the ticker's pointers: whether they were read. A failure keeps what was known,
        marked failed and not read again within the TTL (logged); a read cut short by the
        request's deadline is not remembered at all: the store may only be slow."""
        try:
            self._facts[ticker] = self._read(ticker)
            return True
        except CryptonicError as exc:
            log.warning("cannot read the pointers of %s for /tickers: %s", ticker, exc)
            if _time_spent():
                return False
            known = self._facts.get(ticker)
            self._facts[ticker] = (
                replace(known, read_at=self.clock(), failed=True)
                if known is not None
                else PointerFacts(None, None, None, "D", self.clock(), failed=True)
            )
            return False

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


def _time_spent() -> bool:
    """The request's deadline has passed (never, outside one)."""
    left = remaining()
    return left is not None and left <= 0.0
