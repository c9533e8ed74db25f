"""What a serving instance keeps in memory: each ticker's champion, checked against the store.

The first request for a ticker reads its champion pointer, the version's manifest and its verified
artifacts (forecast.json, model.tflite, prices.csv) and pre-serializes the ``GET /predict`` and
``GET /status`` bodies. After that a request costs no store I/O: at most every
``cache_ttl_seconds`` one HEAD of ``champion.json`` compares its ETag with the one we loaded, and
only a changed pointer makes us read a version again.

A version is switched to only when *all* its artifacts pass the manifest's sha256 check: a corrupt
new version, an unreachable store or a vanished pointer leave the instance serving what it has
(logged as a warning). With nothing loaded yet those failures propagate (the API answers 503).

Nothing here imports numpy, LiteRT, pandas or TensorFlow: the LiteRT predictor is built on the
first ``POST /predict`` and the price snapshot is parsed with the ``csv`` module on first use.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptonic import __version__
from cryptonic.errors import (
    CryptonicError,
    DataError,
    IntegrityError,
    ModelError,
    NoModelError,
)
from cryptonic.registry import ChampionPointer, Registry

if TYPE_CHECKING:
    from cryptonic.forecast import Calendar
    from cryptonic.predictor import Predictor

log = logging.getLogger("cryptonic.api")

FORECAST = "forecast.json"
TFLITE = "model.tflite"
PRICES = "prices.csv"

PREDICT_MAX_AGE_S = 300
"""``Cache-Control: max-age`` of ``GET /predict``: a new champion reaches clients within minutes."""

ARTIFACTS_KEPT = 8
"""Loaded versions kept in memory (the current champions plus recent ones, for quick rollbacks)."""


def _finite(value: Any) -> Any:
    """JSON-safe copy: non-finite floats become null (JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def dumps(value: Any) -> bytes:
    """Compact JSON bytes, as served."""
    return json.dumps(_finite(value), separators=(",", ":"), ensure_ascii=False).encode()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


# --------------------------------------------------------------------------------------------
# Price snapshot


@dataclass(frozen=True)
class PriceSeries:
    """Daily closes of a snapshot, ascending by ISO date string (which sorts like the date)."""

    dates: list[str]
    closes: list[float]


def parse_prices(data: bytes) -> PriceSeries:
    """Date and close columns of a Yahoo-layout CSV (``Date,Open,High,Low,Close,Adj Close,Volume``).

    Header names are matched case-insensitively; ``Adj Close`` is used when there is no ``Close``.
    Rows without a usable date or a positive finite close are skipped; duplicates keep the last.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"prices.csv is not UTF-8: {exc}") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise DataError("prices.csv is empty")
    names = [h.strip().lower() for h in header]
    try:
        date_col = names.index("date")
    except ValueError:
        raise DataError("prices.csv has no Date column") from None
    if "close" in names:
        close_col = names.index("close")
    elif "adj close" in names:
        close_col = names.index("adj close")
    else:
        raise DataError("prices.csv has no Close column")
    rows: dict[str, float] = {}
    width = max(date_col, close_col)
    for row in reader:
        if len(row) <= width:
            continue
        day = row[date_col].strip()[:10]
        try:
            dt.date.fromisoformat(day)
            close = float(row[close_col])
        except ValueError:
            continue
        if math.isfinite(close) and close > 0:
            rows[day] = close
    if not rows:
        raise DataError("prices.csv has no rows with a date and a positive close")
    dates = sorted(rows)
    return PriceSeries(dates=dates, closes=[rows[d] for d in dates])


# --------------------------------------------------------------------------------------------
# One published version, loaded


class Artifacts:
    """A version's manifest and verified artifact bytes; predictor and prices built on demand."""

    def __init__(
        self,
        ticker: str,
        version: str,
        manifest: dict[str, Any],
        forecast: dict[str, Any],
        tflite: bytes | None,
        prices_csv: bytes | None,
    ) -> None:
        self.ticker = ticker
        self.version = version
        self.manifest = manifest
        self.forecast = forecast
        self.tflite = tflite
        self.prices_csv = prices_csv
        model = _dict(manifest.get("model"))
        self.arch = str(model.get("arch") or "default")
        calendar = model.get("calendar")
        self.calendar: Calendar = "B" if calendar == "B" else "D"
        self._lock = threading.Lock()
        self._predictor: Predictor | None = None
        self._prices: PriceSeries | None = None

    def predictor(self) -> Predictor:
        """The LiteRT predictor of this version (built once; imports LiteRT on first use)."""
        predictor = self._predictor
        if predictor is not None:
            return predictor
        with self._lock:
            if self._predictor is None:
                if self.tflite is None:
                    raise ModelError(f"version {self.version} of {self.ticker} has no {TFLITE}")
                from cryptonic.predictor import Predictor

                self._predictor = Predictor(self.tflite, arch=self.arch)
            return self._predictor

    def prices(self) -> PriceSeries:
        """The training snapshot's closes (parsed once)."""
        prices = self._prices
        if prices is not None:
            return prices
        with self._lock:
            if self._prices is None:
                if self.prices_csv is None:
                    raise DataError(f"version {self.version} of {self.ticker} has no {PRICES}")
                self._prices = parse_prices(self.prices_csv)
            return self._prices


def _check_forecast(data: Any, where: str) -> dict[str, Any]:
    """A forecast.json we can serve, or IntegrityError."""
    from cryptonic.forecast import Forecast

    try:
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        parsed = Forecast.from_dict(data)
        if not parsed.values or not all(math.isfinite(v) for v in parsed.values):
            raise ValueError("empty or non-finite predictions")
    except (KeyError, TypeError, ValueError) as exc:
        raise IntegrityError(f"{where} is not a valid forecast: {exc}") from exc
    return data


def load_artifacts(registry: Registry, ticker: str, version: str) -> Artifacts:
    """Read a version's manifest and verified artifacts (every one, or an error)."""
    manifest = registry.manifest(ticker, version)
    names = _dict(manifest.get("artifacts"))
    if FORECAST not in names:
        raise IntegrityError(f"version {version} of {ticker} has no {FORECAST}")
    raw = registry.load_artifact(ticker, version, FORECAST, manifest=manifest)
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IntegrityError(f"{FORECAST} of {ticker} {version} is not JSON: {exc}") from exc
    forecast = _check_forecast(data, f"{FORECAST} of {ticker} {version}")
    tflite = (
        registry.load_artifact(ticker, version, TFLITE, manifest=manifest)
        if TFLITE in names
        else None
    )
    prices = (
        registry.load_artifact(ticker, version, PRICES, manifest=manifest)
        if PRICES in names
        else None
    )
    return Artifacts(ticker, version, manifest, forecast, tflite, prices)


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
    status: dict[str, Any]
    status_body: bytes

    @property
    def manifest(self) -> dict[str, Any]:
        return self.artifacts.manifest


def predict_payload(ticker: str, version: str, forecast: dict[str, Any]) -> dict[str, Any]:
    """The ``GET /predict`` answer built from a stored forecast.json."""
    result = forecast.get("result") or []
    return {
        "success": True,
        "message": (
            f"forecast of the next {len(result)} closes of {ticker} by model {version}, "
            f"made from the closes up to {forecast.get('as_of')}"
        ),
        "ticker": ticker,
        "model_version": version,
        "generated_at": forecast.get("generated_at"),
        "as_of": forecast.get("as_of"),
        "last_close": _float(forecast.get("last_close")),
        "period_length": len(result),
        "result": [{"date": str(r["date"]), "prediction": float(r["prediction"])} for r in result],
    }


def backtest_summary(manifest: dict[str, Any]) -> dict[str, Any]:
    metrics = _dict(manifest.get("metrics"))
    window = _dict(metrics.get("window"))
    model = _dict(metrics.get("model"))
    persistence = _dict(metrics.get("persistence"))
    model_mape = _float(model.get("mape"))
    persistence_mape = _float(persistence.get("mape"))
    skill = _float(model.get("skill"))
    if skill is None and model_mape is not None and persistence_mape:
        skill = 1.0 - model_mape / persistence_mape
    weeks = window.get("weeks")
    return {
        "weeks": weeks if isinstance(weeks, int) and not isinstance(weeks, bool) else None,
        "start": str(window["start"]) if window.get("start") is not None else None,
        "end": str(window["end"]) if window.get("end") is not None else None,
        "model_mape": model_mape,
        "persistence_mape": persistence_mape,
        "skill": skill,
        "model_rmse": _float(model.get("rmse")),
        "persistence_rmse": _float(persistence.get("rmse")),
    }


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def status_payload(
    ticker: str,
    version: str,
    manifest: dict[str, Any],
    *,
    pinned: bool,
    promoted_at: str | None,
    previous_version: str | None,
) -> dict[str, Any]:
    """The ``GET /status`` answer for one served version."""
    data = _dict(manifest.get("data"))
    model = _dict(manifest.get("model"))
    gate = manifest.get("gate")
    metrics = manifest.get("metrics")
    export = manifest.get("export")
    return {
        "success": True,
        "app_version": __version__,
        "ticker": ticker,
        "model_version": version,
        "pinned": pinned,
        "trained_at": _opt_str(manifest.get("created_at")),
        "promoted_at": promoted_at,
        "previous_version": previous_version,
        "strategy": _opt_str(manifest.get("strategy")),
        "parent": _opt_str(manifest.get("parent")),
        "data": {
            "start": _opt_str(data.get("start")),
            "end": _opt_str(data.get("end")),
            "rows": data.get("rows") if isinstance(data.get("rows"), int) else None,
            "source": _opt_str(data.get("source")),
            "sha256": _opt_str(data.get("sha256")),
        }
        if data
        else None,
        "model": {
            "arch": _opt_str(model.get("arch")),
            "weeks": model.get("weeks") if isinstance(model.get("weeks"), int) else None,
            "lookback": model.get("lookback") if isinstance(model.get("lookback"), int) else None,
            "horizon": model.get("horizon") if isinstance(model.get("horizon"), int) else None,
            "calendar": _opt_str(model.get("calendar")),
        }
        if model
        else None,
        "backtest": backtest_summary(manifest),
        "metrics": metrics if isinstance(metrics, dict) else None,
        "gate": {
            "promote": gate.get("promote") if isinstance(gate.get("promote"), bool) else None,
            "reason": _opt_str(gate.get("reason")),
        }
        if isinstance(gate, dict)
        else None,
        "export": export if isinstance(export, dict) else None,
    }


def build_champion(
    artifacts: Artifacts, pointer: ChampionPointer | None, *, pinned: bool
) -> Champion:
    ticker, version = artifacts.ticker, artifacts.version
    body = dumps(predict_payload(ticker, version, artifacts.forecast))
    etag = f'"{version}.{hashlib.sha256(body).hexdigest()[:16]}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={PREDICT_MAX_AGE_S}"}
    promoted_at = pointer.promoted_at if pointer and pointer.version == version else None
    previous = pointer.previous if pointer and pointer.version == version else None
    status = status_payload(
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
        status_body=dumps(status),
    )


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, ``*`` matches)."""
    bare = etag.strip('"')
    for candidate in if_none_match.split(","):
        value = candidate.strip()
        if value == "*":
            return True
        if value.removeprefix("W/").strip('"') == bare:
            return True
    return False


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
    ) -> None:
        self.registry = registry
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
        loaded = load_artifacts(self.registry, ticker, version)
        with self._artifacts_guard:
            self._artifacts[key] = loaded
            while len(self._artifacts) > ARTIFACTS_KEPT:
                self._artifacts.popitem(last=False)
        return loaded
