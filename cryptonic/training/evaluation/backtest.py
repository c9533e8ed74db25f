"""Walk-forward backtest: forecasts made at weekly origins with only the data up to each origin.

This replaces the book's in-sample "evaluation". Every forecaster (the LSTM, persistence, drift)
is scored on the same origins, and the model is always reported next to persistence, with
``skill = 1 - MAPE_model / MAPE_persistence``.

Forecasters that also forecast quantiles (``QuantileForecaster``: the default LSTM, persistence's
empirical quantiles, GARCH) are scored on their interval too: coverage of [lowest, highest]
quantile against its nominal level, its mean width, the mean pinball loss over the quantiles
(both in percent of the origin's close) and ``pinball_skill = 1 - pinball / pinball(persistence's
empirical quantiles at the same levels)``. Point forecasters get ``None`` there.

The same bands are scored again after the adaptive calibration the live service applies
(``adaptive_*`` fields, side by side with the fit-time ones; persistence's empirical band adapts
too, so the comparison stays fair): the adaptation is replayed every day from the first origin to
the last with only the outcomes matured by each day (cryptonic.training.evaluation.adaptation),
so ``adaptive_step`` means what CALIBRATION_STEP means live: a step per matured outcome.

Two scoring protocols (``ScoringProtocol``), which differ only in the close a relative forecast is
turned into prices with:

* ``honest``: relative forecasts are turned into prices with the last close known at the origin.
* ``book``: the textbook's, with the first close of the forecast week itself (a one-day leak),
  kept only to reproduce the book's table (persistence scores 3.71% that way, 5.05% honestly).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from cryptonic.config import DEFAULT_CALIBRATION_STEP
from cryptonic.errors import DataError
from cryptonic.forecast.scores import ADAPTIVE_FIELDS, INTERVAL_FIELDS, Scores, ScoringProtocol
from cryptonic.forecast.windows import DAYS_PER_WEEK, FloatArray, IntArray, denormalize_relative
from cryptonic.training.baselines.naive import EMPIRICAL_WINDOW, Persistence, empirical_quantiles
from cryptonic.training.evaluation import error_measures as metrics
from cryptonic.training.evaluation.adaptation import adapt
from cryptonic.training.forecaster import Forecaster, QuantileForecaster, quantiles_of

BOOK_TRAIN_START = dt.date(2016, 1, 4)
BOOK_TRAIN_END = dt.date(2019, 8, 4)
BOOK_TEST_END = dt.date(2019, 12, 29)
BOOK_TEST_WEEKS = 21
MASE_SCALE_DAYS = 365
"""MASE's scale is the one-step naive MAE of the closes in this many days up to the backtest's
first origin (a report re-scored on later origins, ``BacktestReport.since``, keeps that scale).
A fixed window, so that a backtest's MASE does not depend on how far back its data starts: over
every close since 2014, Bitcoin's early moves of a few dollars shrank the scale and the same
persistence forecasts scored 5.56 from 2014 and 1.98 from 2024."""


ForecastKey = tuple[str, ScoringProtocol]
"""A forecaster's name and the protocol its forecasts were denormalized under."""


@dataclass(frozen=True)
class Bands:
    """A forecaster's quantile forecasts as prices, (origins, horizon, Q), and persistence's
    empirical quantiles at the same levels on the same origins (the pinball reference); with
    adaptation, the adapted quantiles as prices, the scales (origins, horizon) they were made
    with and the step per matured outcome."""

    levels: tuple[float, ...]
    prices: FloatArray
    reference: FloatArray
    adapted: FloatArray | None = None
    scales: FloatArray | None = None
    step: float | None = None

    @property
    def interval_level(self) -> float:
        return round(self.levels[-1] - self.levels[0], 12)

    def since(self, first: int) -> Bands:
        """The same bands from origin ``first`` on: the adapted ones keep the state they had
        reached there (it learned from the earlier origins' outcomes, as it would have live)."""
        return Bands(
            self.levels,
            self.prices[first:],
            self.reference[first:],
            None if self.adapted is None else self.adapted[first:],
            None if self.scales is None else self.scales[first:],
            self.step,
        )


@dataclass
class BacktestReport:
    """Every forecaster's scores on one set of origins, plus the forecasts for plots."""

    ticker: str
    origins: list[dt.date]
    start: dt.date
    end: dt.date
    rows: list[Scores]
    actuals: FloatArray
    forecasts: dict[ForecastKey, FloatArray] = field(default_factory=dict)
    forecast_dates: list[list[dt.date]] = field(default_factory=list)
    scale_series: FloatArray = field(default_factory=lambda: np.ones(2))
    bands: dict[ForecastKey, Bands] = field(default_factory=dict)
    bases: dict[ScoringProtocol, FloatArray] = field(default_factory=dict)

    def since(self, first: int) -> BacktestReport:
        """The same forecasts re-scored on origins ``first`` onwards (no refit, no new data)."""
        if not 0 <= first < self.weeks:
            raise ValueError(f"no origins from position {first} of {self.weeks}")
        forecasts = {key: value[first:] for key, value in self.forecasts.items()}
        bands = {key: value.since(first) for key, value in self.bands.items()}
        bases = {key: value[first:] for key, value in self.bases.items()}
        return BacktestReport(
            ticker=self.ticker,
            origins=self.origins[first:],
            start=self.forecast_dates[first][0],
            end=self.end,
            rows=score_forecasts(
                self.actuals[first:], forecasts, self.scale_series, bands=bands, bases=bases
            ),
            actuals=self.actuals[first:],
            forecasts=forecasts,
            forecast_dates=self.forecast_dates[first:],
            scale_series=self.scale_series,
            bands=bands,
            bases=bases,
        )

    @property
    def weeks(self) -> int:
        return len(self.origins)

    def row(self, model: str, protocol: ScoringProtocol = "honest") -> Scores:
        """The scores of ``model`` under ``protocol`` (KeyError if it was not run)."""
        for row in self.rows:
            if row.model == model and row.protocol == protocol:
                return row
        raise KeyError(f"no backtest row for {model}/{protocol}")

    def to_dict(self) -> dict[str, Any]:
        """The documented ``--json`` shape (mape in percent)."""
        return {
            "ticker": self.ticker,
            "window": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "weeks": self.weeks,
            },
            "rows": [row.to_dict() for row in self.rows],
        }

    def table(self) -> str:
        """A fixed-width table for terminals: model vs persistence vs drift, with skill, the
        interval scores of the forecasters that have one (fit-time and adaptive side by side),
        then each interval's coverage and pinball per horizon day."""
        header = (
            f"{'model':<12} {'protocol':<8} {'MAPE %':>8} {'RMSE':>10} {'MAE':>10} "
            f"{'MASE':>6} {'skill':>7} {'cover':>6} {'a-cover':>7} {'level':>6} {'width %':>8} "
            f"{'pinball %':>9} {'a-pinball':>9} {'p-skill':>7} {'a-p-skill':>9}"
        )
        lines = [
            f"{self.ticker}: {self.weeks} weekly origins, forecasts {self.start} .. {self.end}",
            header,
            "-" * len(header),
        ]
        for r in self.rows:
            lines.append(
                f"{r.model:<12} {r.protocol:<8} {r.mape:>8.2f} {r.rmse:>10.2f} {r.mae:>10.2f} "
                f"{r.mase:>6.2f} {r.skill:>+7.3f} {_opt(r.coverage, '6.3f')} "
                f"{_opt(r.adaptive_coverage, '7.3f')} {_opt(r.interval_level, '6.2f')} "
                f"{_opt(r.width, '8.2f')} {_opt(r.pinball, '9.3f')} "
                f"{_opt(r.adaptive_pinball, '9.3f')} {_opt(r.pinball_skill, '+7.3f')} "
                f"{_opt(r.adaptive_pinball_skill, '+9.3f')}"
            )
        lines += [
            "skill = 1 - MAPE / MAPE(persistence, same protocol); > 0 beats the last close",
            "MASE = MAE / MAE of the one-day naive forecast over the year before the first origin",
            "cover: share of closes inside [lowest, highest] quantile (nominal: level); width and "
            "pinball in % of the last close;",
            "p-skill = 1 - pinball / pinball(persistence with the past year's moves as quantiles)",
            "a-: the same band after adaptive calibration (its scale per day learned from the "
            "outcomes matured by each origin)",
        ]
        return "\n".join(lines + _horizon_table(self.rows))


def weekly_origins(n: int, weeks: int, horizon: int = DAYS_PER_WEEK) -> IntArray:
    """The last ``weeks`` origins, 7 days apart, the newest leaving room for a full horizon."""
    if weeks < 1:
        raise DataError("the backtest needs at least one week")
    last = n - 1 - horizon
    origins = last - DAYS_PER_WEEK * np.arange(weeks - 1, -1, -1, dtype=np.int64)
    if origins[0] < 1:
        raise DataError(
            f"{n} closes cannot hold {weeks} weekly origins plus a {horizon}-day horizon"
        )
    return origins


def _actuals(closes: FloatArray, origins: IntArray, horizon: int) -> FloatArray:
    offsets = np.arange(1, horizon + 1)
    return np.asarray(closes[origins[:, None] + offsets[None, :]], dtype=np.float64)


def _horizon_table(rows: Sequence[Scores]) -> list[str]:
    """Coverage and pinball of each interval per horizon day, fit-time above adaptive."""
    banded = [r for r in rows if r.coverage_by_horizon is not None]
    if not banded:
        return []
    days = len(banded[0].coverage_by_horizon or [])
    step = next((r.adaptive_step for r in banded if r.adaptive_step is not None), None)
    title = "per horizon day, fit-time and adaptive"
    if step is not None:
        title += f" (step {step:g} per matured outcome)"
    header = f"{'model':<12} {'protocol':<8} {'':<17}" + "".join(
        f"{f'day {d}':>8}" for d in range(1, days + 1)
    )
    lines = ["", title, header, "-" * len(header)]
    for r in banded:
        for label, values, spec in (
            ("cover fit-time", r.coverage_by_horizon, "8.3f"),
            ("cover adaptive", r.adaptive_coverage_by_horizon, "8.3f"),
            ("pinball fit-time", r.pinball_by_horizon, "8.3f"),
            ("pinball adaptive", r.adaptive_pinball_by_horizon, "8.3f"),
            ("scale at the end", r.adaptive_scales, "8.2f"),
        ):
            if values is not None:
                cells = "".join(format(v, spec) for v in values)
                lines.append(f"{r.model:<12} {r.protocol:<8} {label:<17}{cells}")
    return lines


def _opt(value: float | None, spec: str) -> str:
    width = int(spec.lstrip("+").split(".")[0])
    return f"{'-':>{width}}" if value is None else format(value, spec)


def _forecast(
    forecaster: Forecaster, closes: FloatArray, origins: npt.ArrayLike
) -> tuple[FloatArray, FloatArray | None]:
    """Point forecasts and, for a quantile forecaster, its quantiles (one network call: the
    point of a quantile forecaster is its median)."""
    levels = quantiles_of(forecaster)
    if not levels or not isinstance(forecaster, QuantileForecaster):
        return forecaster.predict_relative(closes, origins), None
    q = np.asarray(forecaster.predict_quantiles(closes, origins), dtype=np.float64)
    return q[..., levels.index(0.5)], q


def _predict(
    forecaster: Forecaster, closes: FloatArray, origins: IntArray, refit: bool
) -> tuple[FloatArray, FloatArray | None]:
    """Point forecasts at the origins and, for a quantile forecaster, its quantiles on every day
    from the first origin to the last (the adaptation replays them all; origin o's is row
    ``o - origins[0]``). A fit sees only the closes up to the first origin, or with ``refit`` up
    to each origin (the days after it are forecast by that fit, each from its own past)."""
    if refit:
        return _predict_refitting(forecaster, closes, origins)
    forecaster.fit(closes[: origins[0] + 1])
    if not _has_quantiles(forecaster):
        return forecaster.predict_relative(closes, origins), None
    point, quantiles = _forecast(forecaster, closes, np.arange(origins[0], origins[-1] + 1))
    return point[origins - origins[0]], quantiles


def _has_quantiles(forecaster: Forecaster) -> bool:
    return bool(quantiles_of(forecaster)) and isinstance(forecaster, QuantileForecaster)


def _predict_refitting(
    forecaster: Forecaster, closes: FloatArray, origins: IntArray
) -> tuple[FloatArray, FloatArray | None]:
    """``_predict`` with a fresh fit at each origin, on the past only; every forecast is made
    from the closes up to its own day."""
    daily = _has_quantiles(forecaster)
    points, quantiles = [], []
    ends = [*origins[1:], origins[-1] + 1]
    for origin, end in zip(origins, ends, strict=True):
        forecaster.fit(closes[: origin + 1])
        for day in range(origin, end if daily else origin + 1):
            seen = closes[: day + 1]
            point, q = _forecast(forecaster, seen, [seen.size - 1])
            if day == origin:
                points.append(point[0])
            if q is not None:
                quantiles.append(q[0])
    stacked = np.asarray(quantiles, dtype=np.float64) if daily else None
    return np.asarray(points, dtype=np.float64), stacked


def walk_forward(
    closes: npt.ArrayLike,
    dates: Sequence[dt.date],
    forecasters: Sequence[Forecaster],
    *,
    weeks: int = 52,
    origins: npt.ArrayLike | None = None,
    refit: bool = False,
    protocols: Sequence[ScoringProtocol] = ("honest",),
    ticker: str = "",
    adaptive_step: float | None = DEFAULT_CALIBRATION_STEP,
) -> BacktestReport:
    """Score each forecaster at weekly origins; fits see only closes up to the (first) origin.

    By default every forecaster is fitted once on the data before the first origin and then
    predicts each origin from its own past; ``refit`` refits at every origin (slow, closer to how
    the weekly retrain job lives). Persistence is added when missing: skill needs it. Every
    band is also scored after the adaptive calibration with ``adaptive_step`` per matured
    outcome (CALIBRATION_STEP; None: fit-time only).
    """
    values = np.asarray(closes, dtype=np.float64)
    if len(dates) != values.size:
        raise DataError(f"{len(dates)} dates for {values.size} closes")
    horizon = DAYS_PER_WEEK
    idx = _backtest_origins(values.size, weeks, origins)
    models = _with_persistence(forecasters, idx, horizon)
    actual = _actuals(values, idx, horizon)
    all_bases: dict[ScoringProtocol, FloatArray] = {"honest": values[idx], "book": values[idx + 1]}
    bases = {protocol: all_bases[protocol] for protocol in protocols}
    scale_series = _mase_scale_closes(values, dates, int(idx[0]))
    forecasts, bands = _priced_forecasts(models, values, idx, refit, bases, adaptive_step)
    rows = score_forecasts(actual, forecasts, scale_series, bands=bands, bases=bases)
    day_dates = list(dates)
    return BacktestReport(
        ticker=ticker,
        origins=[day_dates[i] for i in idx],
        start=day_dates[idx[0] + 1],
        end=day_dates[idx[-1] + horizon],
        rows=rows,
        actuals=actual,
        forecasts=forecasts,
        forecast_dates=[[day_dates[i + k] for k in range(1, horizon + 1)] for i in idx],
        scale_series=scale_series,
        bands=bands,
        bases=bases,
    )


def _mase_scale_closes(values: FloatArray, dates: Sequence[dt.date], first: int) -> FloatArray:
    """The closes of the ``MASE_SCALE_DAYS`` up to the first origin (all before it if fewer)."""
    since = dates[first] - dt.timedelta(days=MASE_SCALE_DAYS)
    start = bisect.bisect_left(dates, since, 0, first + 1)
    return values[start : first + 1]


def _backtest_origins(n: int, weeks: int, origins: npt.ArrayLike | None) -> IntArray:
    """The given origins, or the last ``weeks`` weekly ones; ascending, each with a full week
    after it."""
    horizon = DAYS_PER_WEEK
    idx = weekly_origins(n, weeks, horizon) if origins is None else np.asarray(origins, np.int64)
    if idx.size == 0 or idx.max() + horizon > n - 1:
        raise DataError("every backtest origin needs 7 known closes after it")
    if np.any(np.diff(idx) <= 0):
        raise DataError("backtest origins must be in ascending order, each once")
    return idx


def _with_persistence(
    forecasters: Sequence[Forecaster], idx: IntArray, horizon: int
) -> list[Forecaster]:
    """The forecasters, persistence first when missing, each with the history it needs before
    the first origin."""
    models = list(forecasters)
    if not any(f.name == "persistence" for f in models):
        models.insert(0, Persistence(horizon))
    for f in models:
        if idx[0] + 1 < f.min_history:
            raise DataError(
                f"{f.name} needs {f.min_history} closes before the first origin, "
                f"has {int(idx[0]) + 1}"
            )
    return models


def _priced_forecasts(
    models: Sequence[Forecaster],
    values: FloatArray,
    idx: IntArray,
    refit: bool,
    bases: dict[ScoringProtocol, FloatArray],
    step: float | None,
) -> tuple[dict[ForecastKey, FloatArray], dict[ForecastKey, Bands]]:
    """Every forecaster's forecasts as prices under each protocol's base close, and the bands of
    the quantile forecasters (fit-time and adapted) beside persistence's empirical quantiles at
    the same levels."""
    window = next(
        (getattr(f, "window", EMPIRICAL_WINDOW) for f in models if f.name == "persistence"),
        EMPIRICAL_WINDOW,
    )
    forecasts: dict[ForecastKey, FloatArray] = {}
    bands: dict[ForecastKey, Bands] = {}
    for f in models:
        point, daily = _predict(f, values, idx, refit)
        for protocol, base in bases.items():
            forecasts[(f.name, protocol)] = denormalize_relative(point, base)
        if daily is not None:
            reference = empirical_quantiles(
                values, idx, DAYS_PER_WEEK, quantiles_of(f), int(window)
            )
            bands.update(_bands(f, daily, reference, values, idx, bases, step))
    return forecasts, bands


def _bands(
    forecaster: Forecaster,
    daily: FloatArray,
    reference: FloatArray,
    values: FloatArray,
    idx: IntArray,
    bases: dict[ScoringProtocol, FloatArray],
    step: float | None,
) -> dict[ForecastKey, Bands]:
    """One quantile forecaster's bands under each protocol: its daily relative quantiles read at
    the origins, as made and as adapted (the adaptation is replayed on every day, honestly: the
    moves it learns from are the closes' own, whatever the protocol)."""
    levels = quantiles_of(forecaster)
    at = idx - idx[0]
    adapted = None if step is None else adapt(daily, values, int(idx[0]), levels, step)
    return {
        (forecaster.name, protocol): Bands(
            levels=levels,
            prices=_denormalize_bands(daily[at], base),
            reference=_denormalize_bands(reference, base),
            adapted=None if adapted is None else _denormalize_bands(adapted.quantiles[at], base),
            scales=None if adapted is None else adapted.scales[at],
            step=step,
        )
        for protocol, base in bases.items()
    }


def _denormalize_bands(relative: FloatArray, base: FloatArray) -> FloatArray:
    """(origins, horizon, Q) relative quantiles as prices, one base close per origin."""
    return np.asarray(base[:, None, None] * (1.0 + relative), dtype=np.float64)


def interval_scores(actual: FloatArray, bands: Bands, base: FloatArray) -> dict[str, Any]:
    """The interval fields of :class:`Scores` for one forecaster's bands, fit-time and (when
    they were replayed) adaptive, both against the same persistence reference."""
    reference = metrics.pinball(actual, bands.reference, bands.levels, base)
    scores: dict[str, Any] = {"interval_level": bands.interval_level}
    scores.update(_band_scores(actual, bands.prices, bands.levels, base, reference))
    scores.update(dict.fromkeys(ADAPTIVE_FIELDS))
    if bands.adapted is not None and bands.scales is not None:
        adapted = _band_scores(actual, bands.adapted, bands.levels, base, reference)
        scores.update({f"adaptive_{key}": value for key, value in adapted.items()})
        scores["adaptive_step"] = bands.step
        scores["adaptive_scales"] = [float(v) for v in bands.scales[-1]]
    return scores


def _band_scores(
    actual: FloatArray,
    prices: FloatArray,
    levels: Sequence[float],
    base: FloatArray,
    reference: float,
) -> dict[str, Any]:
    """Coverage of [lowest, highest] quantile, width, pinball and pinball skill of one set of
    (origins, horizon, Q) quantile prices, overall and per horizon day."""
    lower, upper = prices[..., 0], prices[..., -1]
    pinball = metrics.pinball(actual, prices, levels, base)
    return {
        "coverage": metrics.coverage(actual, lower, upper),
        "width": metrics.width(lower, upper, base),
        "pinball": pinball,
        "pinball_skill": 1.0 - pinball / reference if reference > 0 else None,
        "coverage_by_horizon": metrics.coverage_by_horizon(actual, lower, upper),
        "pinball_by_horizon": metrics.pinball_by_horizon(actual, prices, levels, base),
    }


def score_forecasts(
    actual: FloatArray,
    forecasts: dict[ForecastKey, FloatArray],
    scale_series: FloatArray,
    *,
    bands: dict[ForecastKey, Bands] | None = None,
    bases: dict[ScoringProtocol, FloatArray] | None = None,
) -> list[Scores]:
    """Scores of every (model, protocol) forecast against the actuals; skill needs persistence,
    interval scores need the ``bands`` and the ``bases`` (origin closes) they are relative to."""
    bands = bands or {}
    rows: list[Scores] = []
    protocols: list[ScoringProtocol] = []
    for _, protocol in forecasts:
        if protocol not in protocols:
            protocols.append(protocol)
    for protocol in protocols:
        naive = metrics.mape(actual, forecasts[("persistence", protocol)])
        for (name, proto), pred in forecasts.items():
            if proto != protocol:
                continue
            score = metrics.mape(actual, pred)
            band = bands.get((name, proto))
            interval: dict[str, Any] = dict.fromkeys(INTERVAL_FIELDS + ADAPTIVE_FIELDS)
            if band is not None:
                if bases is None or proto not in bases:
                    raise ValueError(f"interval scores of {name}/{proto} need its base closes")
                interval = interval_scores(actual, band, bases[proto])
            rows.append(
                Scores(
                    model=name,
                    protocol=protocol,
                    mape=score,
                    rmse=metrics.rmse(actual, pred),
                    mae=metrics.mae(actual, pred),
                    mase=metrics.mase(actual, pred, scale_series),
                    skill=metrics.skill(score, naive),
                    mape_by_horizon=metrics.mape_by_horizon(actual, pred),
                    **interval,
                )
            )
    return rows


def book_window_origins(dates: Sequence[dt.date]) -> IntArray:
    """Origins of the textbook's test: the 21 Sundays from 2019-08-04 to 2019-12-22."""
    positions = {d: i for i, d in enumerate(dates)}
    wanted = [BOOK_TRAIN_END + dt.timedelta(days=7 * k) for k in range(BOOK_TEST_WEEKS)]
    missing = [d for d in wanted if d not in positions]
    if missing or BOOK_TEST_END not in positions:
        raise DataError(
            "the book window needs daily closes from 2016-01-04 to 2019-12-29 "
            f"(missing e.g. {(missing or [BOOK_TEST_END])[0]})"
        )
    return np.asarray([positions[d] for d in wanted], dtype=np.int64)
