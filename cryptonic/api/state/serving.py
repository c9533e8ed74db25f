"""The state one app instance serves from: settings, registry, the champion cache (an LRU of at
most ``MAX_LOADED_TICKERS`` champions), the version listing behind ``GET /models`` (both over one
manifest cache), the track records, the ticker summaries behind ``GET /tickers``, and the
tickers it serves (:mod:`cryptonic.api.state.store_tickers`: an unknown ticker costs a HEAD, not a
listing of the store)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from cryptonic.api.errors import ApiError, api_error_of
from cryptonic.api.state.champions import Champion, ChampionCache, FreshnessRules
from cryptonic.api.state.store_tickers import StoreTickers
from cryptonic.api.state.ticker_summaries import TickerSummaries
from cryptonic.api.state.track_records import TrackRecords
from cryptonic.api.state.version_listing import VersionListing
from cryptonic.api.state.versions import ManifestCache
from cryptonic.config import Settings, normalize_ticker
from cryptonic.errors import ConfigError, CryptonicError
from cryptonic.registry.registry import Registry
from cryptonic.store.deadline import deadline

log = logging.getLogger("cryptonic.api")

STORE_TICKERS_MIN_TTL_S = 5.0
"""The store's ticker list (for tickers not in TICKERS) is re-listed, and a ticker checked again,
at most this often."""


class ServingState:
    """Shared by the routers of one app; thread-safe (sync endpoints run in a thread pool)."""

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.clock = clock
        self.now = wall_clock or (lambda: dt.datetime.now(dt.UTC))
        """UTC now: the served forecast's age (``clock`` is monotonic, for the TTLs)."""
        self.manifests = ManifestCache(registry)
        self.cache = ChampionCache(
            registry,
            ttl_seconds=settings.cache_ttl_seconds,
            pinned_version=settings.model_version,
            clock=clock,
            manifests=self.manifests,
            freshness=FreshnessRules(
                stale_after_hours=settings.stale_after_hours,
                refresh_hour_utc=settings.refresh_hour_utc,
            ),
            wall_clock=self.now,
            max_loaded=settings.max_loaded_tickers,
        )
        self.versions = VersionListing(
            registry, self.manifests, ttl_seconds=settings.cache_ttl_seconds, clock=clock
        )
        self.track_records = TrackRecords(
            registry.store, ttl_seconds=settings.cache_ttl_seconds, clock=clock
        )
        self.summaries = TickerSummaries(
            registry,
            self.manifests,
            self.cache,
            ttl_seconds=settings.cache_ttl_seconds,
            stale_after_hours=settings.stale_after_hours,
            clock=clock,
        )
        self.tickers: list[str] = list(settings.tickers)
        self.default_ticker = self.tickers[0]
        self._configured = frozenset(self.tickers)
        self.store_tickers = StoreTickers(
            registry,
            ttl_seconds=max(settings.cache_ttl_seconds, STORE_TICKERS_MIN_TTL_S),
            clock=clock,
        )
        scheme, sep, _ = registry.store.uri.partition("://")
        self.store_kind = scheme if sep else "unknown"

    # -- tickers

    def normalize(self, raw: str | None) -> str:
        """The ticker asked for (default: the first configured), upper-cased; 422 if malformed."""
        if raw is None or raw == "":
            return self.default_ticker
        if raw in self._configured:
            return raw
        try:
            return normalize_ticker(raw)
        except (ValueError, AttributeError):
            raise ApiError(
                422,
                "invalid_ticker",
                "invalid ticker: use a Yahoo Finance symbol such as BTC-USD or AAPL",
            ) from None

    def known_now(self, ticker: str) -> bool:
        """Known without I/O: configured in TICKERS, loaded, in the store's last listing or found
        there by a check within the TTL."""
        return (
            ticker in self._configured
            or self.store_tickers.known_now(ticker)
            or self.cache.held(ticker) is not None
        )

    def unknown_ticker(self, ticker: str) -> ApiError:
        """The 404 of a ticker neither configured nor in the store; it names the configured ones
        and points to ``/tickers`` for the rest, since listing them here would cost the store
        listing an unknown ticker must never cause."""
        return ApiError(
            404,
            "unknown_ticker",
            f"unknown ticker {ticker}: it is not in TICKERS ({', '.join(self.tickers)}) and the "
            "store has no model of it; GET /tickers lists every ticker served",
        )

    def require_known(self, ticker: str) -> None:
        """404 unless the ticker is configured or has models in the store: at most one HEAD and
        one small LIST of that ticker alone, the answer kept for the TTL (never a listing of the
        whole store: anyone can name a ticker)."""
        if self.known_now(ticker):
            return
        if not self.store_tickers.has(ticker):
            raise self.unknown_ticker(ticker)

    def served_tickers(self) -> list[str]:
        """Every ticker this instance answers for, sorted: those in TICKERS and those with
        models in the store (listed at most every ``STORE_TICKERS_MIN_TTL_S``, or the TTL)."""
        return sorted(self._configured | self.store_tickers.listed())

    # -- champions

    def champion(self, ticker: str) -> Champion:
        """The champion to serve (may read the store); our errors become ApiError."""
        try:
            return self.cache.get(ticker)
        except ConfigError as exc:  # e.g. a malformed MODEL_VERSION: ours, not the client's
            raise ApiError(
                503, "bad_config", "the service's model configuration is invalid; see its log"
            ) from exc
        except CryptonicError as exc:
            raise api_error_of(exc, ticker) from exc

    async def champion_async(self, raw_ticker: str | None) -> Champion:
        """Resolve the ticker and its champion; no store I/O and no thread hop when cached."""
        ticker = self.normalize(raw_ticker)
        if not self.known_now(ticker):
            await run_in_threadpool(self.require_known, ticker)
        entry = self.cache.peek(ticker)
        if entry is not None:
            return entry
        return await run_in_threadpool(self.champion, ticker)

    def champion_sync(self, raw_ticker: str | None) -> Champion:
        ticker = self.normalize(raw_ticker)
        self.require_known(ticker)
        return self.champion(ticker)

    def warm(self) -> str | None:
        """Load the default ticker's champion within ``WARM_DEADLINE_SECONDS``: the version
        loaded, or None. Never raises: the cold start must not fail the Lambda init (which
        Lambda would then retry inside every request, ``/health`` included); a store that does
        not answer in time leaves the requests that need it to answer 503."""
        ticker, seconds = self.default_ticker, self.settings.warm_deadline_seconds
        if seconds <= 0:
            return None
        try:
            with deadline(seconds):
                return self.champion(ticker).version
        except ApiError as exc:
            log.warning("no champion of %s loaded at start: %s", ticker, exc.message)
        except Exception:  # whatever it is, the init goes on: the requests will say
            log.exception("loading the champion of %s at start failed", ticker)
        return None
