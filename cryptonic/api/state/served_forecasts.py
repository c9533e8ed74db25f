"""Which forecast a champion serves: its version's own, or the forecast log's newer one.

A version is published with the forecast it made then (``forecast.json``); the daily refresh
logs a newer one each day (:mod:`cryptonic.registry.forecast_log`) and moves ``latest.json``.
Serving shows the logged forecast when ``latest.json`` names one for the version newer than its
own, after checking it against the sha256 the pointer records. The log failing never stops a
champion: it then serves what this instance already serves for the version, or its own forecast.

The two reads are separate steps so that a cold ticker can make them beside its other reads
(:mod:`cryptonic.api.state.champions`): ``latest.json`` beside the champion pointer, and the
logged forecast beside the version's artifacts, before the version's own forecast is known. That
read is then made whenever the pointer names a forecast for the version; :func:`served_forecast`
still serves it only when it is the newer one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from cryptonic.api.state.versions import LoadedVersion, check_forecast
from cryptonic.errors import CryptonicError, IntegrityError
from cryptonic.registry.forecast_log import ForecastLog, LatestForecasts

log = logging.getLogger("cryptonic.api")


@dataclass(frozen=True)
class ServedForecast:
    """The forecast a champion serves: its body, where it came from, the log pointer's ETag."""

    body: dict[str, Any]
    logged: bool
    latest_etag: str | None


@dataclass(frozen=True)
class LogPointerRead:
    """``latest.json`` as read (None before anything was logged), or why it could not be."""

    pointer: LatestForecasts | None = None
    etag: str | None = None
    failure: CryptonicError | None = None


@dataclass(frozen=True)
class LoggedRead:
    """The logged forecast ``latest.json`` names for a version (checked), or why it is not
    usable; both None when none was read."""

    body: dict[str, Any] | None = None
    failure: CryptonicError | None = None


def own_as_of(loaded: LoadedVersion) -> str:
    """The date (ISO) of the forecast the version was published with."""
    return str(loaded.forecast.get("as_of", ""))[:10]


def read_pointer(forecast_log: ForecastLog, ticker: str) -> LogPointerRead:
    """``latest.json`` of ``ticker`` (one GET); never raises our errors: it returns them."""
    try:
        pointer, etag = forecast_log.latest(ticker)
    except CryptonicError as exc:
        return LogPointerRead(failure=exc)
    return LogPointerRead(pointer, etag)


def read_logged(
    forecast_log: ForecastLog,
    ticker: str,
    version: str,
    pointer: LogPointerRead,
    *,
    newer_than: str | None = None,
) -> LoggedRead:
    """The forecast ``pointer`` names for ``version`` (one GET), checked; nothing is read when it
    names none, or one not newer than ``newer_than`` (an ISO date) when that is known."""
    entry = pointer.pointer.versions.get(version) if pointer.pointer is not None else None
    if entry is None or (newer_than is not None and entry.as_of.isoformat() <= newer_than):
        return LoggedRead()
    try:
        logged = forecast_log.load(ticker, version, entry)
        where = f"the logged forecast of {ticker} {version} as of {entry.as_of}"
        body = check_forecast(logged.body, where)
        if body.get("model_version") != version or body.get("ticker") != ticker:
            raise IntegrityError(f"{where} names another model or ticker")
    except CryptonicError as exc:
        return LoggedRead(failure=exc)
    return LoggedRead(body)


def served_forecast(
    loaded: LoadedVersion,
    pointer: LogPointerRead,
    logged: LoggedRead,
    serving_now: ServedForecast | None,
) -> ServedForecast:
    """The forecast to serve for ``loaded``: the logged one when it is newer than the version's
    own, else its own; when the log fails, ``serving_now`` (what this instance serves for the
    version, if anything) or its own."""
    ticker, version = loaded.ticker, loaded.version
    own = ServedForecast(loaded.forecast, logged=False, latest_etag=None)
    entry = pointer.pointer.versions.get(version) if pointer.pointer is not None else None
    failure = pointer.failure
    if failure is None:
        if entry is None or entry.as_of.isoformat() <= own_as_of(loaded):
            return ServedForecast(loaded.forecast, logged=False, latest_etag=pointer.etag)
        if logged.body is not None:
            return ServedForecast(logged.body, logged=True, latest_etag=pointer.etag)
        failure = logged.failure
    keep = serving_now or own
    log.warning(
        "forecast log of %s unreadable (%s); serving the forecast as of %s",
        ticker,
        failure if failure is not None else f"no forecast of {version} was read",
        keep.body.get("as_of"),
    )
    return keep
