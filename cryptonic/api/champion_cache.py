"""What a serving instance keeps in memory: each ticker's champion, checked against the store.

The first request for a ticker reads its champion pointer and the version's verified artifacts
(:mod:`cryptonic.api.artifacts`) and serializes the ``GET /predict`` and ``GET /status`` bodies
once (:mod:`cryptonic.api.bodies`). After that a request costs no store I/O: at most every
``cache_ttl_seconds`` one HEAD of ``champion.json`` compares its ETag with the one we loaded, and
only a changed pointer makes us read a version again.

A version is switched to only when *all* its artifacts pass the manifest's sha256 check: a corrupt
new version, an unreachable store or a vanished pointer leave the instance serving what it has
(logged as a warning). With nothing loaded yet those failures propagate (the API answers 503).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from cryptonic.api.artifacts import Artifacts, ManifestCache, load_artifacts
from cryptonic.api.bodies import encode, predict_response, status_response
from cryptonic.api.etags import body_etag
from cryptonic.api.schemas import StatusResponse
from cryptonic.errors import CryptonicError, NoModelError
from cryptonic.manifest import Manifest
from cryptonic.registry import ChampionPointer, Registry

log = logging.getLogger("cryptonic.api")

PREDICT_MAX_AGE_S = 300
"""``Cache-Control: max-age`` of ``GET /predict``: a new champion reaches clients within minutes."""

ARTIFACTS_KEPT = 8
"""Loaded versions kept in memory (the current champions plus recent ones, for quick rollbacks)."""


# --------------------------------------------------------------------------------------------
# What is served for one ticker


@dataclass(frozen=True)
class Champion:
    """The served version of one ticker, with its response bodies serialized once."""

    ticker: str
    version: str
    pinned: bool
    pointer_etag: str | None
    promoted_at: str | None
    previous_version: str | None
    artifacts: Artifacts
    predict_body: bytes
    predict_headers: dict[str, str]
    etag: str
    status: StatusResponse
    status_body: bytes

    @property
    def manifest(self) -> Manifest:
        return self.artifacts.manifest


def build_champion(
    artifacts: Artifacts, pointer: ChampionPointer | None, *, pinned: bool
) -> Champion:
    """The champion serving ``artifacts``; the pointer's dates apply when it names this version."""
    ticker, version = artifacts.ticker, artifacts.version
    body = encode(predict_response(ticker, version, artifacts.forecast))
    etag = body_etag(body, version)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={PREDICT_MAX_AGE_S}"}
    promoted_at = pointer.promoted_at if pointer and pointer.version == version else None
    previous = pointer.previous if pointer and pointer.version == version else None
    status = status_response(
        ticker,
        version,
        artifacts.manifest,
        pinned=pinned,
        promoted_at=promoted_at,
        previous_version=previous,
    )
    return Champion(
        ticker=ticker,
        version=version,
        pinned=pinned,
        pointer_etag=pointer.etag if pointer and not pinned else None,
        promoted_at=promoted_at,
        previous_version=previous,
        artifacts=artifacts,
        predict_body=body,
        predict_headers=headers,
        etag=etag,
        status=status,
        status_body=encode(status),
    )


# --------------------------------------------------------------------------------------------
# The cache


class ChampionCache:
    """Champions of every ticker asked for, refreshed when the pointer's ETag changes."""

    def __init__(
        self,
        registry: Registry,
        *,
        ttl_seconds: float,
        pinned_version: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        manifests: ManifestCache | None = None,
    ) -> None:
        self.registry = registry
        self.manifests = manifests if manifests is not None else ManifestCache(registry)
        self.ttl = float(ttl_seconds)
        self.pinned = pinned_version or None
        self.clock = clock
        self._entries: dict[str, Champion] = {}
        self._checked: dict[str, float] = {}
        self._failures: dict[str, tuple[float, CryptonicError]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._artifacts: OrderedDict[tuple[str, str], Artifacts] = OrderedDict()
        self._artifacts_guard = threading.Lock()

    # -- reads without I/O

    def peek(self, ticker: str) -> Champion | None:
        """The champion if it was checked less than ``ttl`` seconds ago (no I/O), else None."""
        entry = self._entries.get(ticker)
        if entry is None:
            return None
        if entry.pinned or self.clock() - self._checked[ticker] < self.ttl:
            return entry
        return None

    def cached(self) -> dict[str, tuple[Champion, float]]:
        """Every loaded champion and seconds since its pointer was last checked."""
        now = self.clock()
        entries = list(self._entries.items())  # a copy: other threads may add entries
        return {t: (c, max(0.0, now - self._checked.get(t, now))) for t, c in entries}

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
        with self._lock_of(ticker):
            fresh = self.peek(ticker)  # another thread may have refreshed meanwhile
            if fresh is not None:
                return fresh
            current = self._entries.get(ticker)
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
                self._entries[ticker] = entry
            return entry

    def _lock_of(self, ticker: str) -> threading.Lock:
        with self._locks_guard:
            lock = self._locks.get(ticker)
            if lock is None:
                lock = self._locks[ticker] = threading.Lock()
            return lock

    def _refresh(self, ticker: str, current: Champion | None) -> Champion:
        if self.pinned:
            if current is not None and current.version == self.pinned:
                return current
            version = self.registry.resolve_version(ticker, self.pinned)
            return build_champion(self._artifacts_of(ticker, version), None, pinned=True)

        if current is not None:
            etag = self.registry.champion_etag(ticker)
            if etag is not None and etag == current.pointer_etag:
                return current
            if etag is None:
                log.warning(
                    "champion pointer of %s disappeared from the store; still serving %s",
                    ticker,
                    current.version,
                )
                return current
        pointer = self.registry.champion(ticker)
        if pointer is None:
            if current is not None:
                return current
            raise NoModelError(f"no champion of {ticker} in {self.registry.store.uri}")
        if current is not None and pointer.version == current.version:
            # Same version, rewritten pointer (e.g. re-promoted): refresh dates, keep the artifacts.
            return build_champion(current.artifacts, pointer, pinned=False)
        return build_champion(self._artifacts_of(ticker, pointer.version), pointer, pinned=False)

    def _artifacts_of(self, ticker: str, version: str) -> Artifacts:
        key = (ticker, version)
        with self._artifacts_guard:
            found = self._artifacts.get(key)
            if found is not None:
                self._artifacts.move_to_end(key)
                return found
        loaded = load_artifacts(self.manifests, ticker, version)
        with self._artifacts_guard:
            self._artifacts[key] = loaded
            while len(self._artifacts) > ARTIFACTS_KEPT:
                self._artifacts.popitem(last=False)
        return loaded
