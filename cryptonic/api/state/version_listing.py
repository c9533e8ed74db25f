"""What ``GET /models`` reads: each ticker's version ids and champion, listed at most every TTL.

A public endpoint must not cost one store GET per published version on every request. The
version ids (one LIST) and the champion pointer (one GET) are re-read at most every
``cache_ttl_seconds``, like the champion pointer of the serving cache; the manifests come from the
:class:`~cryptonic.api.state.versions.ManifestCache` (immutable, read once per container), and only
those of the page asked for are read at all: at most :data:`READS_PER_PAGE` of them per request,
side by side (a cold ``limit=100`` page was 100 reads one after another, past the request's
deadline on S3); the page then ends before the first it did not read, and ``next_cursor`` goes on
from there.

A failed listing is not remembered and not papered over: the request answers 503 and the next one
lists again (the champion cache is what keeps forecasts served through an outage).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from cryptonic.api.state.keyed_lru import KeyedLru
from cryptonic.api.state.parallel_reads import in_parallel
from cryptonic.api.state.versions import ManifestCache
from cryptonic.errors import IntegrityError, NotFoundError
from cryptonic.registry.manifest import Manifest
from cryptonic.registry.registry import Registry

log = logging.getLogger("cryptonic.api")

READS_PER_PAGE: Final = 16
"""Manifests one ``GET /models`` request reads at most (at once); the rest of the page waits for
the next request (its ``next_cursor``)."""


@dataclass(frozen=True)
class VersionIds:
    """A ticker's published version ids, newest first, and the version its pointer names."""

    versions: tuple[str, ...]
    champion: str | None
    listed_at: float


@dataclass(frozen=True)
class VersionPage:
    """Up to ``limit`` versions (id, manifest), newest first, after the cursor asked for."""

    champion: str | None
    versions: list[tuple[str, Manifest]]
    next_cursor: str | None


class VersionListing:
    """Version ids per ticker, refreshed at most every ``ttl_seconds``; thread-safe."""

    def __init__(
        self,
        registry: Registry,
        manifests: ManifestCache,
        *,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry
        self.manifests = manifests
        self.ttl = float(ttl_seconds)
        self.clock = clock
        self._listed: KeyedLru[str, VersionIds] = KeyedLru()  # one per ticker the store has

    def ids(self, ticker: str) -> VersionIds:
        """The ticker's version ids (one LIST and one pointer GET when older than the TTL)."""
        return self._listed.get_or_load(
            ticker, lambda _: self._list(ticker), fresh=self._within_ttl
        )

    def _within_ttl(self, found: VersionIds) -> bool:
        return self.clock() - found.listed_at < self.ttl

    def _list(self, ticker: str) -> VersionIds:
        """One LIST of the published versions (no manifest GET) and one GET of the pointer."""
        versions = tuple(self.registry.version_ids(ticker))
        pointer = self.registry.champion(ticker)
        champion = pointer.version if pointer and pointer.version in versions else None
        return VersionIds(versions, champion, self.clock())

    def page(
        self, ticker: str, *, limit: int, cursor: str | None = None, reads: int = READS_PER_PAGE
    ) -> VersionPage:
        """Versions older than ``cursor`` (a version id; ``None``: the newest), ``limit`` of them,
        reading at most ``reads`` manifests not yet in memory (side by side).

        A version whose manifest cannot be read is logged and left out of the page (the page is
        then shorter than ``limit``); ``next_cursor`` still continues after it.
        """
        listed = self.ids(ticker)
        ids = listed.versions
        start = (
            0 if cursor is None else next((i for i, v in enumerate(ids) if v < cursor), len(ids))
        )
        chosen = self._within_reads(ticker, ids[start : start + limit], reads)
        missing = [v for v in chosen if not self.manifests.held(ticker, v)]
        read = in_parallel([self._reader(ticker, version) for version in missing])
        fetched = dict(zip(missing, read, strict=True))
        rows: list[tuple[str, Manifest]] = []
        for version in chosen:
            manifest = fetched[version] if version in fetched else self._reader(ticker, version)()
            if manifest is not None:
                rows.append((version, manifest))
        more = start + len(chosen) < len(ids)
        return VersionPage(
            champion=listed.champion,
            versions=rows,
            next_cursor=chosen[-1] if more and chosen else None,
        )

    def _within_reads(self, ticker: str, chosen: tuple[str, ...], reads: int) -> tuple[str, ...]:
        """``chosen`` up to (not including) its first version past ``reads`` store reads."""
        to_read = 0
        for i, version in enumerate(chosen):
            if not self.manifests.held(ticker, version):
                to_read += 1
                if to_read > reads:
                    return chosen[:i]
        return chosen

    def _reader(self, ticker: str, version: str) -> Callable[[], Manifest | None]:
        def read() -> Manifest | None:
            try:
                return self.manifests.get(ticker, version)
            except (IntegrityError, NotFoundError) as exc:
                log.warning("skipping %s %s: %s", ticker, version, exc)
                return None

        return read
