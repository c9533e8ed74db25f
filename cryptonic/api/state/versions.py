"""Reading published versions for serving: manifests and versions loaded whole, verified.

Every store read of the serving path that concerns a *version* happens here (the champion pointer
is read by :mod:`cryptonic.api.state.champions` and :mod:`cryptonic.api.state.version_listing`); the
manifest's shape is :class:`cryptonic.registry.manifest.Manifest`, the model the pipeline writes
through. This is the reading side of what ``cryptonic.training.model.export`` and the registry's
publish write.

* Manifests are immutable: :class:`ManifestCache` reads each one once per container.
* An artifact is handed out only after :meth:`Registry.load_artifact` checked it against the
  manifest's sha256 and size; :func:`load_version` loads a version whole (every artifact) or not at
  all, as a :class:`LoadedVersion`.

Nothing here imports numpy or LiteRT: :meth:`LoadedVersion.predictor` builds the LiteRT predictor
on the first ``POST /predict``, and the price snapshot is parsed with the ``csv`` module on first
use.
"""

from __future__ import annotations

import functools
import json
import math
import threading
from typing import TYPE_CHECKING, Any

from cryptonic.api.state.keyed_lru import KeyedLru
from cryptonic.api.state.parallel_reads import in_parallel
from cryptonic.api.state.price_snapshot import PriceSeries, parse_prices
from cryptonic.errors import DataError, IntegrityError, ModelError
from cryptonic.registry.calibration import BandCalibration
from cryptonic.registry.keys import FORECAST_NAME, MODEL_TFLITE, PRICES_NAME
from cryptonic.registry.manifest import Manifest
from cryptonic.registry.registry import Registry

if TYPE_CHECKING:
    from cryptonic.forecast.calendar import Calendar
    from cryptonic.forecast.predictor import Predictor

MANIFESTS_KEPT = 2048
"""Manifests kept per container: years of weekly versions of every configured ticker (a few KB
each); beyond that the least recently used is read again when asked for."""


class ManifestCache:
    """Manifests by (ticker, version), read from the store once: a published version never changes.

    Read failures are not remembered (the next call reads again): a version listed while its
    publish was still running has a manifest a moment later. Two threads asking for the same
    manifest at once read it once.
    """

    def __init__(self, registry: Registry, *, kept: int = MANIFESTS_KEPT) -> None:
        self.registry = registry
        self.kept = kept
        self._manifests: KeyedLru[tuple[str, str], Manifest] = KeyedLru(kept)

    def get(self, ticker: str, version: str) -> Manifest:
        """The manifest (one store GET the first time); :class:`NotFoundError` if unpublished."""
        return self._manifests.get_or_load(
            (ticker, version), lambda _: self.registry.manifest(ticker, version)
        )

    def held(self, ticker: str, version: str) -> bool:
        """Whether the manifest is in memory (a :meth:`get` of it reads nothing)."""
        return self._manifests.get((ticker, version), touch=False) is not None


class LoadedVersion:
    """A published version as loaded for serving: its manifest and verified artifact bytes, the
    predictor and the prices built from them on demand."""

    def __init__(
        self,
        ticker: str,
        version: str,
        manifest: Manifest,
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
        self.arch = manifest.model.arch
        self.calendar: Calendar = manifest.model.calendar
        self._lock = threading.Lock()
        self._predictor: Predictor | None = None
        self._prices: PriceSeries | None = None

    def predictor(self) -> Predictor:
        """The LiteRT predictor of this version (built once; numpy and LiteRT load on first use)."""
        predictor = self._predictor
        if predictor is not None:
            return predictor
        with self._lock:
            if self._predictor is None:
                if self.tflite is None:
                    raise ModelError(
                        f"version {self.version} of {self.ticker} has no {MODEL_TFLITE}"
                    )
                from cryptonic.forecast.predictor import Predictor

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
                    raise DataError(f"version {self.version} of {self.ticker} has no {PRICES_NAME}")
                self._prices = parse_prices(self.prices_csv)
            return self._prices


def check_forecast(data: Any, where: str) -> dict[str, Any]:
    """A forecast.json we can serve, or IntegrityError."""
    from cryptonic.forecast.value import Forecast

    try:
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        parsed = Forecast.from_dict(data)
        if not parsed.values or not all(math.isfinite(v) for v in parsed.values):
            raise ValueError("empty or non-finite predictions")
        if parsed.has_interval:
            BandCalibration.read(data, len(parsed.values))
    except (KeyError, TypeError, ValueError) as exc:
        raise IntegrityError(f"{where} is not a valid forecast: {exc}") from exc
    return data


def load_version(manifests: ManifestCache, ticker: str, version: str) -> LoadedVersion:
    """Read a version's manifest and verified artifacts (every one, or an error); the artifacts
    are read side by side (:mod:`cryptonic.api.state.parallel_reads`): one round trip, not three."""
    registry = manifests.registry
    manifest = manifests.get(ticker, version)
    names = manifest.artifacts
    if FORECAST_NAME not in names:
        raise IntegrityError(f"version {version} of {ticker} has no {FORECAST_NAME}")
    wanted = [FORECAST_NAME, *(name for name in (MODEL_TFLITE, PRICES_NAME) if name in names)]
    read = dict(
        zip(
            wanted,
            in_parallel(
                [
                    functools.partial(
                        registry.load_artifact, ticker, version, name, manifest=manifest
                    )
                    for name in wanted
                ]
            ),
            strict=True,
        )
    )
    try:
        data = json.loads(read[FORECAST_NAME])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IntegrityError(f"{FORECAST_NAME} of {ticker} {version} is not JSON: {exc}") from exc
    forecast = check_forecast(data, f"{FORECAST_NAME} of {ticker} {version}")
    return LoadedVersion(
        ticker, version, manifest, forecast, read.get(MODEL_TFLITE), read.get(PRICES_NAME)
    )
