"""What a serving instance keeps in memory: each ticker's champion, checked against the store.

The first request for a ticker reads its champion pointer, the version's verified artifacts
(:mod:`cryptonic.api.state.versions`) and the forecast log's pointer
(``forecasts/<ticker>/latest.json``, :mod:`cryptonic.registry.forecast_log`): the champion serves
its **latest dated forecast** (the daily refresh's) when the log has one newer than the forecast the
version made when it was published (:mod:`cryptonic.api.state.served_forecasts`). Those seven
reads take three round trips, the independent ones side by side
(:mod:`cryptonic.api.state.parallel_reads`): the two pointers, then the manifest, then the
artifacts with the logged forecast. The ``GET /predict`` and ``GET /status`` bodies are then built
from it (:mod:`cryptonic.api.state.timed_bodies`: rebuilt only when the forecast's rounded age
moves). After that a request costs no store I/O: at most every ``cache_ttl_seconds`` one HEAD of
``champion.json`` and one of ``latest.json`` compare their ETags with the ones we loaded, and
only a changed pointer makes us read a version or a forecast again. The polling is per ticker:
each ticker's pointers are checked only when that ticker is asked for, at most once per TTL.

``MODEL_VERSION`` pins per ticker (:class:`~cryptonic.config.VersionPins`): a pinned ticker
serves its pinned version (and polls only its forecast log: there is no pointer to follow), every
other ticker its champion. Whether a bare version id pins a ticker costs one manifest read per
ticker per container, which the pinned version's load reuses.

Memory is bounded: at most ``max_loaded`` champions (``MAX_LOADED_TICKERS``) are kept, least
recently served first out. An evicted ticker loses its champion, its built bodies and its loaded
versions; its next request loads it again like a first one (a few store GETs), so a container
serving hundreds of tickers holds only the ones in use, not every model it ever served.

A version is switched to only when *all* its artifacts pass the manifest's sha256 check, and a
logged forecast only when it matches the sha256 ``latest.json`` records for it: a corrupt new
version, an unreachable store or a vanished pointer leave the instance serving what it has
(logged as a warning). A log that cannot be read never stops a new champion: it then serves the
forecast it was published with. With nothing loaded yet the failures propagate (the API answers
503).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptonic.api.responses.status import status_response
from cryptonic.api.schemas import RefreshStatus, StatusResponse
from cryptonic.api.state.keyed_lru import KeyedLru
from cryptonic.api.state.parallel_reads import both
from cryptonic.api.state.served_forecasts import (
    LoggedRead,
    LogPointerRead,
    ServedForecast,
    own_as_of,
    read_logged,
    read_pointer,
    served_forecast,
)
from cryptonic.api.state.timed_bodies import PredictView, TimedBodies
from cryptonic.api.state.versions import LoadedVersion, ManifestCache, load_version
from cryptonic.config import VersionPins
from cryptonic.errors import CryptonicError, NoModelError, NotFoundError
from cryptonic.forecast.adaptive import AdaptiveScales
from cryptonic.registry.calibration import BandCalibration
from cryptonic.registry.champion import ChampionPointer
from cryptonic.registry.forecast_log import ForecastLog
from cryptonic.registry.manifest import Manifest
from cryptonic.registry.registry import Registry

log = logging.getLogger("cryptonic.api")

PREDICT_MAX_AGE_S = 300
"""``Cache-Control: max-age`` of ``GET /predict``: a new champion reaches clients within minutes."""

VERSIONS_KEPT = 8
"""Loaded versions kept in memory (the current champions plus recent ones, for quick rollbacks)."""


# --------------------------------------------------------------------------------------------
# What is served for one ticker


@dataclass(frozen=True)
class FreshnessRules:
    """What serving needs to say how fresh a forecast is (settings the refresh reads too)."""

    stale_after_hours: float = 48.0
    refresh_hour_utc: int = 0


@dataclass(frozen=True)
class Champion:
    """The served version of one ticker and its forecast, with the bodies built from them."""

    ticker: str
    version: str
    pinned: bool
    pointer: ChampionPointer | None
    promoted_at: str | None
    previous_version: str | None
    loaded_version: LoadedVersion
    served: ServedForecast
    bodies: TimedBodies

    @property
    def manifest(self) -> Manifest:
        return self.loaded_version.manifest

    @property
    def pointer_etag(self) -> str | None:
        """The champion pointer's ETag this entry was built from (None when pinned)."""
        return self.pointer.etag if self.pointer is not None and not self.pinned else None

    @property
    def forecast(self) -> dict[str, Any]:
        return self.served.body

    @property
    def forecast_as_of(self) -> dt.date:
        return self.bodies.as_of

    def adaptive_scales(self) -> AdaptiveScales | None:
        """The band scales the served forecast was drawn with when the refresh adapted them
        from the live record (the ticker's calibration state as of that refresh), for an
        on-demand forecast to draw its band with; None when the served band is fit-time. Read
        from the body in memory: no store I/O."""
        body = self.served.body
        level = body.get("interval_level")
        if level is None or body.get("model_version") != self.version:
            return None
        said = BandCalibration.read(body, len(body["result"]))
        return said.state(float(level)) if said.mode == "adaptive" else None

    def predict_view(self, now: dt.datetime) -> PredictView:
        """The ``GET /predict`` body, ETag and headers at ``now``."""
        return self.bodies.predict(now)

    def status_body(self, now: dt.datetime) -> bytes:
        """The ``GET /status`` body at ``now``."""
        return self.bodies.status(now)


def build_champion(
    loaded: LoadedVersion,
    pointer: ChampionPointer | None,
    *,
    pinned: bool,
    served: ServedForecast | None = None,
    freshness: FreshnessRules | None = None,
) -> Champion:
    """The champion serving the ``loaded`` version (and ``served``, default: the version's own
    forecast); the pointer's dates apply when it names this version."""
    ticker, version = loaded.ticker, loaded.version
    served = served or ServedForecast(loaded.forecast, logged=False, latest_etag=None)
    freshness = freshness or FreshnessRules()
    names_it = pointer is not None and pointer.version == version
    promoted_at = pointer.promoted_at if pointer is not None and names_it else None
    previous = pointer.previous if pointer is not None and names_it else None

    def status(refresh: RefreshStatus) -> StatusResponse:
        return status_response(
            ticker,
            version,
            loaded.manifest,
            pinned=pinned,
            promoted_at=promoted_at,
            previous_version=previous,
            refresh=refresh,
        )

    bodies = TimedBodies(
        ticker,
        version,
        served.body,
        calendar=loaded.calendar,
        status=status,
        stale_after_hours=freshness.stale_after_hours,
        refresh_hour_utc=freshness.refresh_hour_utc,
        logged=served.logged,
        max_age_s=PREDICT_MAX_AGE_S,
    )
    return Champion(
        ticker=ticker,
        version=version,
        pinned=pinned,
        pointer=None if pinned else pointer,
        promoted_at=promoted_at,
        previous_version=previous,
        loaded_version=loaded,
        served=served,
        bodies=bodies,
    )


# --------------------------------------------------------------------------------------------
# The cache


class ChampionCache:
    """Champions of the tickers asked for (the ``max_loaded`` most recently served), refreshed
    when the pointer's ETag changes."""

    def __init__(
        self,
        registry: Registry,
        *,
        ttl_seconds: float,
        pinned_version: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        manifests: ManifestCache | None = None,
        freshness: FreshnessRules | None = None,
        wall_clock: Callable[[], dt.datetime] | None = None,
        max_loaded: int | None = None,
    ) -> None:
        if max_loaded is not None and max_loaded < 1:
            raise ValueError(f"max_loaded must be at least 1, got {max_loaded}")
        self.registry = registry
        self.max_loaded = max_loaded
        """Most champions kept in memory (None: no bound); the least recently used go first."""
        self.log = ForecastLog(registry.store)
        self.manifests = manifests if manifests is not None else ManifestCache(registry)
        self.ttl = float(ttl_seconds)
        self.pins = VersionPins.read(pinned_version)
        """``MODEL_VERSION`` (``pinned_version``): the tickers that serve a chosen version."""
        self.clock = clock
        self.freshness = freshness or FreshnessRules()
        self.wall_clock = wall_clock or (lambda: dt.datetime.now(dt.UTC))
        self.evictions = 0
        """Champions evicted so far (bounded memory at work; /health and the bench read it)."""
        self._checked: dict[str, float] = {}
        self._pinned: dict[str, str | None] = {}
        self._failures: dict[str, tuple[float, CryptonicError]] = {}
        self._versions: KeyedLru[tuple[str, str], LoadedVersion] = KeyedLru(VERSIONS_KEPT)
        self._entries: KeyedLru[str, Champion] = KeyedLru(max_loaded, on_evict=self._evicted)

    # -- reads without I/O

    def peek(self, ticker: str, *, touch: bool = True) -> Champion | None:
        """The champion if it was checked less than ``ttl`` seconds ago (no I/O, no lock), else
        None; ``touch``: count this as a use (a listing such as ``GET /tickers`` does not)."""
        checked = self._checked.get(ticker)
        if checked is None or self.clock() - checked >= self.ttl:
            return None
        return self._entries.get(ticker, touch)

    def held(self, ticker: str) -> Champion | None:
        """The champion in memory however long ago it was checked (no I/O, not a use): what
        this instance would serve if the store failed it now."""
        return self._entries.get(ticker, touch=False)

    def loaded(self) -> list[str]:
        """The tickers whose champion is in memory, least recently used first."""
        return self._entries.keys()

    def cached(self) -> dict[str, tuple[Champion, float]]:
        """Every loaded champion and seconds since its pointer was last checked."""
        now = self.clock()
        return {t: (c, max(0.0, now - self._checked.get(t, now))) for t, c in self._entries.items()}

    # -- reads that may touch the store

    def get(self, ticker: str) -> Champion:
        """The champion to serve, checking the store if the last check is older than ``ttl``.

        Raises a :class:`~cryptonic.errors.CryptonicError` only when nothing is loaded for the
        ticker; with a champion loaded, store failures are logged and the loaded one is served.
        A failure with nothing loaded (no model yet, store down) is remembered for ``ttl``
        seconds, so a ticker without a model does not cost store I/O on every request.
        """
        fresh = self.peek(ticker)
        if fresh is not None:
            return fresh
        with self._entries.locked(ticker):
            fresh = self.peek(ticker)  # another thread may have refreshed meanwhile
            if fresh is not None:
                return fresh
            current = self._entries.get(ticker, touch=False)
            failed = self._failures.get(ticker)
            if current is None and failed is not None and self.clock() - failed[0] < self.ttl:
                raise failed[1].with_traceback(None)
            try:
                entry = self._refresh(ticker, current)
            except CryptonicError as exc:
                if current is None:
                    log.warning("no champion of %s can be served: %s", ticker, exc)
                    self._failures[ticker] = (self.clock(), exc)
                    raise
                log.warning(
                    "keeping %s %s: checking the store for a new champion failed: %s",
                    ticker,
                    current.version,
                    exc,
                )
                entry = current
            self._checked[ticker] = self.clock()  # before the entry: peek() reads both
            self._failures.pop(ticker, None)
            if entry is not current:
                if current is None:
                    log.info("serving %s %s", ticker, entry.version)
                elif entry.version != current.version:
                    log.info("champion of %s: %s -> %s", ticker, current.version, entry.version)
            self._entries.put(ticker, entry)  # the most recently used; evicts beyond the bound
            return entry

    def _evicted(self, ticker: str, champion: Champion) -> None:
        """An evicted champion frees its loaded versions too (runs under the entries' guard)."""
        self._checked.pop(ticker, None)
        self._versions.discard_where(lambda key: key[0] == ticker)
        self.evictions += 1
        log.info(
            "evicted %s %s: %d champions loaded at most (MAX_LOADED_TICKERS)",
            ticker,
            champion.version,
            self.max_loaded,
        )

    def pinned_version(self, ticker: str) -> str | None:
        """The version ``MODEL_VERSION`` pins ``ticker`` to; None: its champion serves.

        A pair answers without I/O. A bare id reads the ticker's manifest of that version once
        (the version's load needs it anyway, from the manifest cache) and the answer is kept: a
        published version never changes, and a ticker without it must not pay a read per TTL.
        """
        if not self.pins:
            return None
        if ticker not in self._pinned:
            self._pinned[ticker] = self.pins.version_for(
                ticker, lambda version: self._has_manifest(ticker, version)
            )
        return self._pinned[ticker]

    def _has_manifest(self, ticker: str, version: str) -> bool:
        try:
            self.manifests.get(ticker, version)
        except NotFoundError:
            return False
        return True

    def _refresh(self, ticker: str, current: Champion | None) -> Champion:
        pinned = self.pinned_version(ticker)
        if pinned is not None:
            if current is not None and current.pinned and current.version == pinned:
                return self._with_latest_forecast(current)
            try:
                return self._load(ticker, pinned, None, current, None)
            except NotFoundError as exc:
                raise NotFoundError(
                    f"{exc}: MODEL_VERSION pins {ticker} to it; unset the pin or pick one from "
                    f"`cryptonic models list --ticker {ticker}`"
                ) from exc

        log_pointer: LogPointerRead | None = None
        if current is not None:
            etag = self.registry.champion_etag(ticker)
            if etag is not None and etag == current.pointer_etag:
                return self._with_latest_forecast(current)
            if etag is None:
                log.warning(
                    "champion pointer of %s disappeared from the store; still serving %s",
                    ticker,
                    current.version,
                )
                return current
            pointer = self.registry.champion(ticker)
        else:  # a cold ticker: its forecast log's pointer beside its champion pointer
            pointer, log_pointer = both(
                lambda: self.registry.champion(ticker), lambda: read_pointer(self.log, ticker)
            )
        if pointer is None:
            if current is not None:
                return current
            raise NoModelError(f"no champion of {ticker} in {self.registry.store.uri}")
        if current is not None and pointer.version == current.version:
            # Same version, rewritten pointer (e.g. re-promoted): refresh dates, keep the version.
            return self._build(current.loaded_version, pointer, False, current)
        return self._load(ticker, pointer.version, pointer, current, log_pointer)

    def _with_latest_forecast(self, current: Champion) -> Champion:
        """``current``, or rebuilt on a newer logged forecast if ``latest.json`` changed (HEAD)."""
        if self.log.latest_etag(current.ticker) == current.served.latest_etag:
            return current
        return self._build(current.loaded_version, current.pointer, current.pinned, current)

    def _load(
        self,
        ticker: str,
        version: str,
        pointer: ChampionPointer | None,
        current: Champion | None,
        log_pointer: LogPointerRead | None,
    ) -> Champion:
        """``version`` loaded (``pointer`` None: pinned) with the forecast it serves, in two
        rounds of reads side by side: its manifest (beside ``latest.json`` when that is not read
        yet), then its artifacts beside the logged forecast ``latest.json`` names for it."""
        if log_pointer is None:
            _, found = both(
                lambda: self.manifests.get(ticker, version), lambda: read_pointer(self.log, ticker)
            )
        else:
            self.manifests.get(ticker, version)  # no read when the version was loaded before
            found = log_pointer
        loaded, logged = both(
            lambda: self._version_of(ticker, version),
            lambda: read_logged(self.log, ticker, version, found),
        )
        return self._champion(loaded, pointer, pointer is None, current, found, logged)

    def _build(
        self,
        loaded: LoadedVersion,
        pointer: ChampionPointer | None,
        pinned: bool,
        current: Champion | None,
    ) -> Champion:
        """A champion of a version already loaded: ``latest.json``, then (if it names a newer
        forecast) that forecast."""
        ticker, version = loaded.ticker, loaded.version
        log_pointer = read_pointer(self.log, ticker)
        logged = read_logged(self.log, ticker, version, log_pointer, newer_than=own_as_of(loaded))
        return self._champion(loaded, pointer, pinned, current, log_pointer, logged)

    def _champion(
        self,
        loaded: LoadedVersion,
        pointer: ChampionPointer | None,
        pinned: bool,
        current: Champion | None,
        log_pointer: LogPointerRead,
        logged: LoggedRead,
    ) -> Champion:
        serving_now = (
            current.served if current is not None and current.version == loaded.version else None
        )
        return build_champion(
            loaded,
            pointer,
            pinned=pinned,
            served=served_forecast(loaded, log_pointer, logged, serving_now),
            freshness=self.freshness,
        )

    def _version_of(self, ticker: str, version: str) -> LoadedVersion:
        """The loaded version (kept: a rollback or a re-promotion loads nothing again)."""
        return self._versions.get_or_load(
            (ticker, version), lambda _: load_version(self.manifests, ticker, version)
        )
