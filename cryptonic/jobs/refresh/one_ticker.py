"""The daily refresh of one ticker: latest closes -> the served band's adaptive calibration -> the
champion's (and shadows') forecast -> log -> scores. No training: the models are the published
``.tflite`` files, run with LiteRT.

``_Refresh.__call__`` lists the steps in order: what to refresh (the served version and the
shadow challengers), the latest prices, the calibration (every outcome matured by the latest
close moves the served version's band scales, cryptonic.jobs.refresh.calibration), one forecast
per version (the champion's band drawn with those scales, the shadows' as fitted), pruning,
scoring, verdict.

Safety comes from the same rules as the retrain's: forecast objects are create-only under a key
made of the day and the version (a rerun finds them there and changes nothing), and the four
small pointers (the log's, the ledger, the summary, the calibration state) move only by
compare-and-swap with a merge (cryptonic.store.cas), so a retrain publishing a new champion at
the same time and this refresh both keep their work; the calibration state records which
outcomes it applied, so no rerun or retry applies one twice. The served
version's model runs before anything is written, so a damaged model or a forecast that is not
finite fails the refresh with nothing changed; a failure
before a forecast is logged leaves the previous one serving; bad prices (a gap, a zero close)
are refused with the validation's message; no new close (a weekend for stocks, Yahoo failing)
is reported and only fails the run once ``REFRESH_MAX_MISSED_DAYS`` trading days are missing.

Never imports TensorFlow (an import-linter contract holds it): the refresh function is small.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptonic.config import Settings, normalize_ticker
from cryptonic.data import OFFLINE_ENV, load_prices
from cryptonic.data.fetching import offline
from cryptonic.errors import CryptonicError, NoModelError, StaleDataError
from cryptonic.forecast.adaptive import AdaptiveScales
from cryptonic.forecast.calendar import TradingDays
from cryptonic.forecast.freshness import format_timestamp, freshness_of, missing_closes
from cryptonic.forecast.predictor import Predictor
from cryptonic.forecast.value import Forecast
from cryptonic.jobs.refresh.calibration import calibrate
from cryptonic.jobs.refresh.outcomes import Outcome
from cryptonic.jobs.refresh.prices import (
    PriceLoader,
    RecentPrices,
    expected_close,
    is_snapshot,
    load_recent,
    past_the_calendar,
)
from cryptonic.jobs.refresh.scoring import Scoring
from cryptonic.jobs.runs.failure import ticker_failure
from cryptonic.registry.calibration import BandCalibration, calibrated
from cryptonic.registry.champion import ChampionPointer
from cryptonic.registry.forecast_log import ForecastLog, LatestForecasts, Recorded, Role
from cryptonic.registry.keys import MODEL_TFLITE
from cryptonic.registry.manifest import Manifest
from cryptonic.registry.registry import Registry
from cryptonic.registry.shadows import shadow_challengers
from cryptonic.store.contract import ArtifactStore

log = logging.getLogger("cryptonic.refresh")

SNAPSHOT_SOURCES_NOTE = "a fixed snapshot (bundled or CSV): no newer close is expected of it"


@dataclass
class RefreshResult:
    """The per-ticker summary the Lambda returns and the CLI prints."""

    ticker: str
    outcome: Outcome = "failed"
    reason: str = ""
    champion: str | None = None
    as_of: str | None = None
    expected: str | None = None
    missing: list[str] = field(default_factory=list)
    shadows: list[str] = field(default_factory=list)
    forecasts: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    served: dict[str, Any] | None = None
    calibration: dict[str, Any] | None = None
    track_record: dict[str, Any] | None = None
    pruned: int = 0
    error: dict[str, str] | None = None
    seconds: float = 0.0
    source: str | None = None
    fallback: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _due(target: _Target, prices: RecentPrices, latest: LatestForecasts | None) -> bool:
    """Whether ``target`` needs a forecast from the latest close: the log has none as recent."""
    known = latest.versions.get(target.version) if latest else None
    return prices.last is not None and (known is None or known.as_of < prices.last)


def refresh(
    settings: Settings,
    store: ArtifactStore,
    ticker: str,
    *,
    now: dt.datetime | None = None,
    load: PriceLoader = load_prices,
) -> RefreshResult:
    """Refresh one ticker; errors come back in the result, never as exceptions."""
    started = time.perf_counter()
    result = RefreshResult(ticker=ticker)
    try:
        result.ticker = normalize_ticker(ticker)
        moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        _Refresh(settings, store, result, moment, load)()
    except Exception as exc:  # one ticker's failure is its result, never the run's
        failure = ticker_failure(exc, "refresh", result.ticker, log)
        result.outcome, result.error, result.reason = "failed", failure.error, failure.reason
    result.seconds = round(time.perf_counter() - started, 3)
    return result


@dataclass(frozen=True)
class _Target:
    """A version to refresh: the served one (``champion``) or a shadow challenger."""

    manifest: Manifest
    role: Role

    @property
    def version(self) -> str:
        return self.manifest.version


class _Refresh:
    """One ticker's refresh, step by step; each step a method so the order reads top to bottom."""

    def __init__(
        self,
        settings: Settings,
        store: ArtifactStore,
        result: RefreshResult,
        now: dt.datetime,
        load: PriceLoader,
    ) -> None:
        self.settings, self.store, self.result, self.now, self.load = (
            settings,
            store,
            result,
            now,
            load,
        )
        self.ticker = result.ticker
        self.registry = Registry(store)
        self.log = ForecastLog(store)
        self.models: dict[str, Predictor] = {}
        """Each target's LiteRT model, read (its sha256 checked) and loaded once."""
        self.predicted: dict[str, Forecast] = {}
        """Each target's forecast from the latest close before any band scaling, run once."""

    def __call__(self) -> None:
        pointer, served = self._served()
        if served is None:
            return
        targets = [_Target(served, "champion"), *self._shadows(pointer, served)]
        latest, _ = self.log.latest(self.ticker)
        lookback = max(t.manifest.model.lookback for t in targets)
        prices = load_recent(
            self.settings,
            self.ticker,
            lookback,
            served.model.calendar,
            self.now,
            self.load,
            served=served,
            registry=self.registry,
        )
        calendar = prices.calendar
        self.result.as_of = prices.last.isoformat() if prices.last else None
        self.result.source, self.result.fallback = prices.source, prices.fallback
        created = False
        if prices.last is not None:
            keep_from = prices.last - dt.timedelta(days=self.settings.forecast_retention_days)
            scoring = Scoring(
                self.log,
                self.ticker,
                prices.by_date(),
                keep_from,
                self.settings.forecast_retention_days,
            )
            if _due(targets[0], prices, latest):
                # a damaged or unloadable model, or one whose forecast is not finite, fails
                # before the calibration state moves
                self._predicted(targets[0], prices)
            scales = self._calibrate(served, scoring, keep_from)
            for target in targets:
                adapted = scales if target.role == "champion" else None
                recorded = self._forecast(target, prices, latest, adapted)
                created |= bool(recorded and recorded.created and target.role == "champion")
            self.result.pruned = self.log.prune(self.ticker, keep_from)
            self.result.track_record = scoring.score()
        self._verdict(served, prices, calendar, created)

    # -- steps, in the order __call__ runs them ------------------------------------------------
    def _served(self) -> tuple[ChampionPointer | None, Manifest | None]:
        """The version serving reads: the one MODEL_VERSION pins this ticker to, else its
        champion (a pin of another ticker changes nothing here)."""
        pointer = self.registry.champion(self.ticker)
        try:
            version = self.registry.resolve_version(self.ticker, self.settings.model_version)
        except NoModelError as exc:
            self.result.outcome, self.result.reason = "no_model", str(exc)
            return pointer, None
        self.result.champion = version
        return pointer, self.registry.manifest(self.ticker, version)

    def _shadows(self, pointer: ChampionPointer | None, served: Manifest) -> list[_Target]:
        manifests = shadow_challengers(
            self.registry, self.ticker, pointer, self.settings.shadow_challengers
        )
        shadows = [_Target(m, "shadow") for m in manifests if m.version != served.version]
        self.result.shadows = [t.version for t in shadows]
        return shadows

    def _calibrate(
        self, served: Manifest, scoring: Scoring, keep_from: dt.date
    ) -> AdaptiveScales | None:
        """The served version's band scales after every outcome matured by today's close (None:
        a point model, no band to adapt)."""
        scales = calibrate(
            self.store,
            self.ticker,
            served,
            scoring.preview().rows,
            keep_from=keep_from,
            step=self.settings.calibration_step,
        )
        if scales is not None:
            self.result.calibration = BandCalibration.of(scales).fields()
        return scales

    def _forecast(
        self,
        target: _Target,
        prices: RecentPrices,
        latest: LatestForecasts | None,
        scales: AdaptiveScales | None,
    ) -> Recorded | None:
        """The target's forecast from the latest close (its band drawn with ``scales``, if any),
        logged (create-only). Skipped when the log already has one as recent; a shadow's failure
        is reported, not raised."""
        known = latest.versions.get(target.version) if latest else None
        if known is not None and not _due(target, prices, latest):
            self.result.forecasts.append(
                {
                    "version": target.version,
                    "role": target.role,
                    "as_of": known.as_of.isoformat(),
                    "created": False,
                }
            )
            return None
        try:
            recorded = self._run_model(target, prices, scales)
        except CryptonicError as exc:
            if target.role == "champion":
                raise
            log.warning("shadow %s of %s not refreshed: %s", target.version, self.ticker, exc)
            self.result.problems.append(f"shadow {target.version}: [{exc.code}] {exc}")
            return None
        self.result.forecasts.append(
            {
                "version": recorded.version,
                "role": recorded.role,
                "as_of": recorded.as_of.isoformat(),
                "created": recorded.created,
            }
        )
        return recorded

    def _model(self, target: _Target) -> Predictor:
        if target.version not in self.models:
            tflite = self.registry.load_artifact(
                self.ticker, target.version, MODEL_TFLITE, manifest=target.manifest
            )
            self.models[target.version] = Predictor(tflite, arch=target.manifest.model.arch)
        return self.models[target.version]

    def _predicted(self, target: _Target, prices: RecentPrices) -> Forecast:
        if target.version not in self.predicted:
            last = prices.last
            assert last is not None
            self.predicted[target.version] = self._model(target).forecast(
                prices.closes,
                last,
                ticker=self.ticker,
                calendar=prices.calendar,
                model_version=target.version,
                generated_at=format_timestamp(self.now),
            )
        return self.predicted[target.version]

    def _run_model(
        self, target: _Target, prices: RecentPrices, scales: AdaptiveScales | None
    ) -> Recorded:
        forecast = self._predicted(target, prices)
        if scales is not None:
            forecast = calibrated(forecast, scales)
        return self.log.record(prices.stamp(forecast.to_dict()), target.role)

    def _served_now(self, served: Manifest, calendar: TradingDays) -> dt.date | None:
        """The close the forecast serving reads now starts from, its age and staleness in the
        result (``served``)."""
        latest, _ = self.log.latest(self.ticker)
        entry = latest.versions.get(served.version) if latest else None
        as_of = entry.as_of if entry else served.data.end
        generated_at = entry.generated_at if entry else served.created_at
        if as_of is not None:
            fresh = freshness_of(
                as_of, generated_at, calendar, self.settings.stale_after_hours, self.now
            )
            self.result.served = {
                "version": served.version,
                "as_of": as_of.isoformat(),
                "generated_at": generated_at,
                "age_hours": round(fresh.age_hours, 2),
                "stale": fresh.stale,
            }
        return as_of

    def _verdict(
        self, served: Manifest, prices: RecentPrices, calendar: TradingDays, created: bool
    ) -> None:
        """Outcome and reason; raises StaleDataError once too many closes are missing (after
        every forecast there was to log is logged)."""
        res, settings = self.result, self.settings
        as_of = self._served_now(served, calendar)
        have = prices.last or as_of
        expected = expected_close(settings, calendar, self.now)
        missing = missing_closes(have, expected, calendar) if have and expected else []
        res.expected = expected.isoformat() if expected else None
        res.missing = [d.isoformat() for d in missing]
        limit = settings.refresh_max_missed_days
        why = f" ({prices.unavailable})" if prices.unavailable else ""
        unknown = past_the_calendar(calendar, missing)
        if unknown:
            log.warning("refresh %s: %s", self.ticker, unknown)
        also = f"; {unknown}" if unknown else ""
        if len(missing) >= limit:
            raise StaleDataError(
                f"{self.ticker}: no close for {len(missing)} trading days (since {have}, "
                f"expected up to {expected}; REFRESH_MAX_MISSED_DAYS={limit}{also}){why}: still "
                f"serving the forecast as of {as_of}"
            )
        if created:
            res.outcome = "refreshed"
            res.reason = f"new forecast as of {prices.last} by {served.version}"
            if missing:
                res.reason += f" (still {len(missing)} of {limit} allowed closes behind{also})"
        elif missing or prices.unavailable:
            res.outcome = "no_new_data"
            source = "no price source answered" + why if prices.unavailable else "no new close"
            res.reason = (
                f"no new data: {source}; latest close {have}, expected {expected} "
                f"({len(missing)} of {limit} allowed trading days missing{also}); still serving "
                f"the forecast as of {as_of}"
            )
        elif expected is None and offline() and not is_snapshot(settings.data_source):
            res.outcome = "no_new_data"
            res.reason = (
                f"no new data: {OFFLINE_ENV}=1, so only fixed snapshots answer (latest close "
                f"{have}); still serving the forecast as of {as_of}"
            )
        else:
            res.outcome = "unchanged"
            note = "" if expected else f"; {SNAPSHOT_SOURCES_NOTE}"
            res.reason = f"already up to date: forecast as of {as_of} by {served.version}{note}"


__all__ = ["RefreshResult", "refresh"]
