"""What ``GET /track-record`` and ``GET /models`` read: each ticker's ``track-record.json``.

The daily refresh writes one compact summary per ticker (cryptonic.registry.track_record); serving
reads it in one GET and keeps it, checking its ETag (one HEAD) at most every ``cache_ttl_seconds``,
like the champion pointer. Only a ticker someone asks about is read at all. A failed check keeps the
record this instance has (the record changes once a day); with nothing loaded the error propagates
(503). No record yet (no refresh has run) is an answer, remembered for the TTL.

The record's models are imported on the first read, not with this module: the cold start (the
first ``GET /predict``) never needs them, and building them costs it milliseconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptonic.api.state.keyed_lru import KeyedLru
from cryptonic.errors import NotFoundError, StoreError
from cryptonic.registry.keys import TRACK_RECORD_NAME, forecasts_prefix
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.objects import load_json

if TYPE_CHECKING:
    from cryptonic.registry.track_record import TrackRecord

log = logging.getLogger("cryptonic.api")


@dataclass(frozen=True)
class _Loaded:
    record: TrackRecord | None
    etag: str | None
    checked_at: float


class TrackRecords:
    """Track records by ticker, re-checked at most every ``ttl_seconds``; thread-safe."""

    def __init__(
        self,
        store: ArtifactStore,
        *,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.ttl = float(ttl_seconds)
        self.clock = clock
        self._loaded: KeyedLru[str, _Loaded] = KeyedLru()  # one per ticker asked about

    def get(self, ticker: str) -> TrackRecord | None:
        """The ticker's track record (None before the first refresh)."""
        return self._loaded.get_or_load(
            ticker, lambda found: self._recheck(ticker, found), fresh=self._within_ttl
        ).record

    def _within_ttl(self, found: _Loaded) -> bool:
        return self.clock() - found.checked_at < self.ttl

    def _recheck(self, ticker: str, found: _Loaded | None) -> _Loaded:
        """The record checked against the store; a failed check keeps the one loaded (if any)."""
        try:
            return self._check(ticker, found)
        except StoreError as exc:
            if found is None:
                raise
            log.warning("keeping the track record of %s: re-checking failed: %s", ticker, exc)
            return _Loaded(found.record, found.etag, self.clock())

    def _check(self, ticker: str, found: _Loaded | None) -> _Loaded:
        key = forecasts_prefix(ticker) + TRACK_RECORD_NAME
        where = f"{self.store.uri.rstrip('/')}/{key}"
        if found is not None and found.etag is not None:
            try:
                if self.store.head(key).etag == found.etag:
                    return _Loaded(found.record, found.etag, self.clock())
            except NotFoundError:
                return _Loaded(None, None, self.clock())
        try:
            data, etag = self.store.get_with_etag(key)
        except NotFoundError:
            return _Loaded(None, None, self.clock())
        from cryptonic.registry.track_record import TrackRecord  # not on the cold start's path

        return _Loaded(TrackRecord.parse(load_json(data, where), where), etag, self.clock())
