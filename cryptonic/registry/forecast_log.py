"""The forecast log: every dated forecast a model made, kept immutable, and a pointer to the latest.

Layout under the store root (next to the registry's ``<ticker>/...``, under one common prefix so
all of it can be found, priced and pruned together)::

    forecasts/<ticker>/<as_of>/<version>.json   one forecast, create-only (If-None-Match: *)
    forecasts/<ticker>/latest.json              {versions: {<version>: {as_of, sha256, ...}}}
    forecasts/<ticker>/scores.json              the refresh's score ledger (track_record.py)
    forecasts/<ticker>/track-record.json        the summary serving reads (track_record.py)
    forecasts/<ticker>/calibration.json         the served band's adaptive scales (calibration.py)

Rules:

* A forecast's key is its ticker, the date of the last close it used and the model version, so
  a rerun of the same day writes the same key, finds it there and changes nothing.
* ``latest.json`` maps each refreshed version (the champion, the shadow challengers) to its
  newest forecast. It moves only by compare-and-swap with a merge (per version, the later
  ``as_of`` wins), so a retrain publishing its champion's forecast and a refresh running at the
  same time both keep their entry. It records each forecast's sha256: serving checks it.
* A forecast object is the ``forecast.json`` shape
  (:meth:`cryptonic.forecast.value.Forecast.to_dict`) plus ``role``: ``champion`` (made to be
  served) or ``shadow`` (scored, never served).

Importing this module stays cheap (pydantic, no numpy): the serving cold start reads the pointer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import Field

from cryptonic.errors import ConflictError, IntegrityError, NotFoundError, StoreError
from cryptonic.registry.documents import Document
from cryptonic.registry.keys import (
    LATEST_NAME,
    check_ticker,
    check_version,
    forecast_key,
    forecasts_prefix,
    latest_key,
    parse_forecast_key,
)
from cryptonic.store.cas import Swapped, read_json, update_json
from cryptonic.store.contract import ArtifactStore

__all__ = [
    "ForecastLog",
    "LatestEntry",
    "LatestForecasts",
    "LoggedForecast",
    "Recorded",
    "Role",
    "log_published_forecast",
]

log = logging.getLogger("cryptonic.forecast_log")

Role = Literal["champion", "shadow"]
"""``champion``: the forecast was made to be served. ``shadow``: a rejected challenger's,
scored side by side with the champion's and never served."""

# --------------------------------------------------------------------------------------------
# The pointer


class LatestEntry(Document):
    """A version's newest logged forecast: where it is and what its bytes hash to."""

    as_of: dt.date
    generated_at: str | None = None
    role: Role
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)

    def newer_than(self, other: LatestEntry) -> bool:
        return (self.as_of, self.generated_at or "") > (other.as_of, other.generated_at or "")


class LatestForecasts(Document):
    """``forecasts/<ticker>/latest.json``."""

    kind: ClassVar[str] = "forecast pointer"

    ticker: str
    versions: dict[str, LatestEntry] = Field(default_factory=dict)

    def merged(self, entries: Mapping[str, LatestEntry], *, keep_from: dt.date | None) -> Any:
        """The stored form with ``entries`` merged in (per version the newer wins) and entries
        older than ``keep_from`` (pruned forecasts) dropped."""
        versions = dict(self.versions)
        for version, entry in entries.items():
            known = versions.get(version)
            if known is None or entry.newer_than(known):
                versions[version] = entry
        if keep_from is not None:
            versions = {v: e for v, e in versions.items() if e.as_of >= keep_from}
        updated = LatestForecasts(ticker=self.ticker, versions=dict(sorted(versions.items())))
        return updated.model_dump(mode="json")


# --------------------------------------------------------------------------------------------
# The log


@dataclass(frozen=True)
class LoggedForecast:
    """One forecast object as read back: its decoded body, role and version."""

    key: str
    as_of: dt.date
    version: str
    role: Role
    body: dict[str, Any]


@dataclass(frozen=True)
class Recorded:
    """What recording one forecast did: ``created`` False means it was already there."""

    key: str
    version: str
    as_of: dt.date
    role: Role
    created: bool


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _role_of(value: Any) -> Role:
    return "shadow" if value == "shadow" else "champion"


class ForecastLog:
    """Reads and writes the forecast log of every ticker in one store."""

    def __init__(self, store: ArtifactStore) -> None:
        self.store = store

    def _where(self, key: str) -> str:
        return f"{self.store.uri.rstrip('/')}/{key}"

    # -- writing

    def record(
        self,
        forecast: Mapping[str, Any],
        role: Role,
        *,
        keep_from: dt.date | None = None,
    ) -> Recorded:
        """Log one forecast (``Forecast.to_dict()``) and point ``latest.json`` at it.

        Create-only: when the key exists (a rerun of the same day, or a concurrent writer) the
        stored object stays as it is and the pointer is still merged, so a crash between the two
        writes heals on the next run.
        """
        ticker = check_ticker(str(forecast["ticker"]))
        version = check_version(str(forecast["model_version"]))
        as_of = dt.date.fromisoformat(str(forecast["as_of"]))
        key = forecast_key(ticker, as_of, version)
        data = (
            json.dumps({**forecast, "role": role}, indent=2, sort_keys=True, allow_nan=False) + "\n"
        ).encode()
        try:
            self.store.put_bytes(key, data, if_none_match="*", content_type="application/json")
            created = True
        except ConflictError:
            data, created = self.store.get_bytes(key), False
        stored = self._decode(key, data)
        entry = LatestEntry(
            as_of=as_of,
            generated_at=stored.get("generated_at"),
            role=_role_of(stored.get("role")),
            sha256=_sha256(data),
            bytes=len(data),
        )
        self.move_pointer(ticker, {version: entry}, keep_from=keep_from)
        return Recorded(key, version, as_of, entry.role, created)

    def move_pointer(
        self,
        ticker: str,
        entries: Mapping[str, LatestEntry],
        *,
        keep_from: dt.date | None = None,
    ) -> Swapped:
        """Merge ``entries`` into ``latest.json`` by compare-and-swap (re-read on conflict)."""
        ticker = check_ticker(ticker)
        key = latest_key(ticker)

        def change(current: Any) -> Any:
            pointer = (
                LatestForecasts(ticker=ticker)
                if current is None
                else LatestForecasts.parse(current, self._where(key))
            )
            return pointer.merged(entries, keep_from=keep_from)

        return update_json(self.store, key, change)

    def prune(self, ticker: str, keep_from: dt.date) -> int:
        """Delete forecast objects from before ``keep_from`` (and their pointer entries).

        Run by the refresh; serving never needs them: the track record keeps their scores.
        """
        removed = 0
        for key, (as_of, _version) in self.keys(ticker).items():
            if as_of < keep_from:
                self.store.delete(key)
                removed += 1
        if removed:
            self.move_pointer(ticker, {}, keep_from=keep_from)
            log.info("pruned %d forecasts of %s from before %s", removed, ticker, keep_from)
        return removed

    # -- reading

    def keys(self, ticker: str) -> dict[str, tuple[dt.date, str]]:
        """Every logged forecast of ``ticker``: key -> (as_of, version), one LIST."""
        found: dict[str, tuple[dt.date, str]] = {}
        for key in self.store.list(forecasts_prefix(ticker)):
            parsed = parse_forecast_key(key, ticker)
            if parsed is not None:
                found[key] = parsed
        return found

    def latest(self, ticker: str) -> tuple[LatestForecasts | None, str | None]:
        """The pointer and its ETag, ``(None, None)`` before anything was logged."""
        key = latest_key(ticker)
        value, etag = read_json(self.store, key)
        if value is None:
            return None, None
        return LatestForecasts.parse(value, self._where(key)), etag

    def latest_etag(self, ticker: str) -> str | None:
        """The pointer's ETag (one HEAD): poll this, re-read when it changes."""
        try:
            return self.store.head(latest_key(ticker)).etag
        except NotFoundError:
            return None

    def load(self, ticker: str, version: str, entry: LatestEntry) -> LoggedForecast:
        """The forecast a pointer entry names, checked against the sha256 the pointer recorded."""
        key = forecast_key(ticker, entry.as_of, version)
        try:
            data = self.store.get_bytes(key)
        except NotFoundError as exc:
            raise IntegrityError(
                f"{self._where(key)} is named by {LATEST_NAME} but missing"
            ) from exc
        if _sha256(data) != entry.sha256 or len(data) != entry.bytes:
            raise IntegrityError(
                f"{self._where(key)} does not match the sha256 {LATEST_NAME} records for it"
            )
        return self._logged(key, data)

    def read(self, key: str) -> LoggedForecast:
        """A forecast object by key (the refresh's scoring reads these)."""
        return self._logged(key, self.store.get_bytes(key))

    def _logged(self, key: str, data: bytes) -> LoggedForecast:
        body = self._decode(key, data)
        parts = key.rsplit("/", 2)
        return LoggedForecast(
            key=key,
            as_of=dt.date.fromisoformat(parts[-2]),
            version=parts[-1].removesuffix(".json"),
            role=_role_of(body.get("role")),
            body=body,
        )

    def _decode(self, key: str, data: bytes) -> dict[str, Any]:
        try:
            body = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IntegrityError(f"{self._where(key)} is not valid JSON: {exc}") from exc
        if not isinstance(body, dict) or not isinstance(body.get("result"), list):
            raise IntegrityError(f"{self._where(key)} is not a forecast")
        return body


def log_published_forecast(store: ArtifactStore, forecast: Mapping[str, Any], role: Role) -> bool:
    """The retrain's hook: log a newly published version's forecast at once (best effort).

    The promotion has happened either way; a failure here only means serving shows the
    version's own forecast.json (the same forecast) until the next refresh logs it.
    """
    try:
        ForecastLog(store).record(forecast, role)
    except StoreError as exc:
        log.warning(
            "could not log the forecast of %s %s: %s",
            forecast.get("ticker"),
            forecast.get("model_version"),
            exc,
        )
        return False
    return True
