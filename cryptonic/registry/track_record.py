"""The live track record: logged forecasts scored on the closes that came after them.

A forecasting service is judged by prices that came after its forecasts. At each refresh every
retained forecast (cryptonic.registry.forecast_log) whose dates have passed is scored, always next
to the persistence forecast of the same days (its ``last_close`` repeated): MAPE, the persistence
MAPE, and interval coverage when the forecast carries an interval. Two objects per ticker:

* ``scores.json``, the **ledger**: one row per retained forecast with its error sums and, day by
  day, whether the close fell inside the band (what the adaptive calibration learns from,
  cryptonic.registry.calibration). Rows whose days have all been realized are final and kept as
  they are; open rows are scored again from their forecast object at each refresh. The refresh
  alone reads it (one GET instead of one per forecast), and it is exactly the retained log: rows
  of pruned forecasts are dropped.
* ``track-record.json``, the **summary** serving reads in one GET: the served record pooled
  (``mape`` over every scored day, so long and short horizons weigh as in the backtest), each
  version's live record (the champion's and the shadow challengers'), the served band's
  coverage over the last :data:`ROLLING_WEEKS` weeks (a drifting band shows there before the
  pooled coverage moves), and the newest served forecasts, the last :data:`CHART_FORECASTS` of
  them with each day's prediction and outcome.

Both are functions of the log and the closes only, so a rerun the same day computes the same
bytes and writes nothing. Pure Python (no numpy): the serving path parses these models.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Final

from pydantic import Field

from cryptonic.forecast.value import Forecast
from cryptonic.registry.documents import ClosedDocument
from cryptonic.registry.forecast_log import LoggedForecast, Role
from cryptonic.registry.keys import TRACK_RECORD_NAME, forecasts_prefix
from cryptonic.store.cas import read_json
from cryptonic.store.contract import ArtifactStore

__all__ = [
    "CHART_FORECASTS",
    "ROLLING_WEEKS",
    "SHOWN_FORECASTS",
    "CoverageWindow",
    "ForecastScore",
    "LedgerRow",
    "LiveScores",
    "ScoreLedger",
    "ScoredDay",
    "TrackRecord",
    "build_track_record",
    "in_current_units",
    "live_record",
    "load_track_record",
    "rolling_coverage",
    "score_forecast",
    "served_rows",
    "update_ledger",
]

CHART_FORECASTS: Final = 8
"""Newest served forecasts whose days (prediction and realized close) the summary keeps: what
the page draws against what happened."""
SHOWN_FORECASTS: Final = 100
"""Newest served forecasts listed in the summary (``GET /track-record?limit`` at most)."""
ROLLING_WEEKS: Final = (8, 26)
"""Windows of the rolling coverage of the served band, in weeks."""

REBASED_BEYOND: Final = 0.1
"""Relative difference between a forecast's own last close and today's close of that same day
beyond which the series was re-based since the forecast was made: a stock split (or a reverse
one) re-adjusts every earlier close, so the forecast is scored in today's units. A revision of a
close, or a second source within ``SOURCE_TOLERANCE``, is far smaller and changes nothing."""

Key = tuple[dt.date, str]
"""(as_of, version): one logged forecast."""


# --------------------------------------------------------------------------------------------
# The ledger (scores.json)


class LedgerRow(ClosedDocument):
    """One logged forecast's errors so far, as sums over its realized days (percent)."""

    as_of: dt.date
    version: str
    role: Role
    generated_at: str | None = None
    last_close: float
    last_date: dt.date = Field(description="The forecast's last date")
    days_scored: int = 0
    ape_sum: float = 0.0
    persistence_ape_sum: float = 0.0
    banded_days: int = 0
    inside: int = 0
    inside_days: list[bool | None] | None = Field(
        default=None,
        description="Per forecast day: its close inside the band (null: not realized, or no "
        "band); the whole list null for rows scored before the days were kept",
    )
    interval_level: float | None = None
    final: bool = False

    @property
    def key(self) -> Key:
        return (self.as_of, self.version)


class ScoreLedger(ClosedDocument):
    """``forecasts/<ticker>/scores.json``: the rows, newest first."""

    kind: ClassVar[str] = "score ledger"

    ticker: str
    closes_through: dt.date | None = None
    rows: list[LedgerRow] = Field(default_factory=list)


def in_current_units(forecast: Forecast, closes: Mapping[dt.date, float]) -> Forecast:
    """``forecast`` as a move from its origin in the units of ``closes``: scaled by today's
    close of its ``as_of`` over its own last close when the two differ beyond
    :data:`REBASED_BEYOND` (a split since), else as it is. Without this, a split would score
    every open forecast (and its persistence) about 50% wrong, and the band's calibration would
    learn misses that never happened."""
    today = closes.get(forecast.as_of)
    if today is None or today <= 0 or forecast.last_close <= 0:
        return forecast
    factor = today / forecast.last_close
    if abs(factor - 1.0) <= REBASED_BEYOND:
        return forecast
    lower, upper = forecast.lower, forecast.upper
    return dataclasses.replace(
        forecast,
        last_close=today,
        values=[v * factor for v in forecast.values],
        lower=[v * factor for v in lower] if lower is not None else None,
        upper=[v * factor for v in upper] if upper is not None else None,
    )


def score_forecast(
    logged: LoggedForecast, closes: Mapping[dt.date, float], closes_through: dt.date
) -> LedgerRow:
    """Score one forecast on the closes known up to ``closes_through``, in their units
    (:func:`in_current_units`).

    A forecast day without a close (a holiday of a trading-day ticker, never to come) is not
    scored; the row is final once its last date is no later than ``closes_through``.
    """
    forecast = in_current_units(Forecast.from_dict(logged.body), closes)
    ape = persistence = 0.0
    days = 0
    inside_days: list[bool | None] = [None] * len(forecast.dates)
    for i, (day, predicted) in enumerate(zip(forecast.dates, forecast.values, strict=True)):
        actual = closes.get(day)
        if day > closes_through or actual is None or actual <= 0:
            continue
        days += 1
        ape += abs(actual - predicted) / actual * 100.0
        persistence += abs(actual - forecast.last_close) / actual * 100.0
        if forecast.lower is not None and forecast.upper is not None:
            inside_days[i] = forecast.lower[i] <= actual <= forecast.upper[i]
    return LedgerRow(
        as_of=logged.as_of,
        version=logged.version,
        role=logged.role,
        generated_at=forecast.generated_at,
        last_close=forecast.last_close,
        last_date=max(forecast.dates),
        days_scored=days,
        ape_sum=ape,
        persistence_ape_sum=persistence,
        banded_days=sum(1 for day in inside_days if day is not None),
        inside=sum(1 for day in inside_days if day),
        inside_days=inside_days,
        interval_level=forecast.interval_level,
        final=max(forecast.dates) <= closes_through,
    )


def update_ledger(
    ledger: ScoreLedger | None,
    ticker: str,
    logged: Mapping[str, Key],
    read: Callable[[str], LoggedForecast],
    closes: Mapping[dt.date, float],
    keep_from: dt.date,
) -> tuple[ScoreLedger, dict[Key, LoggedForecast]]:
    """The ledger of the retained log (``logged``: key -> (as_of, version)) on these closes,
    and the forecasts it had to read (the open ones and the new ones)."""
    closes_through = max(closes) if closes else None
    known = {row.key: row for row in (ledger.rows if ledger else [])}
    rows: list[LedgerRow] = []
    read_now: dict[Key, LoggedForecast] = {}
    for key, (as_of, version) in logged.items():
        if as_of < keep_from:
            continue
        row = known.get((as_of, version))
        if row is None or (not row.final and closes_through is not None):
            forecast = read(key)
            read_now[(as_of, version)] = forecast
            if closes_through is None:
                row = score_forecast(forecast, {}, as_of)
            else:
                row = score_forecast(forecast, closes, closes_through)
        rows.append(row)
    rows.sort(key=lambda r: (r.as_of, r.version), reverse=True)
    through = closes_through or (ledger.closes_through if ledger else None)
    return ScoreLedger(ticker=ticker, closes_through=through, rows=rows), read_now


# --------------------------------------------------------------------------------------------
# The summary (track-record.json)


class LiveScores(ClosedDocument):
    """Scores pooled over forecasts: MAPE over every realized day, persistence on the same."""

    forecasts: int = Field(description="Forecasts with at least one realized day")
    days_scored: int = 0
    mape: float | None = Field(default=None, description="Percent, over every scored day")
    persistence_mape: float | None = Field(
        default=None, description="The last close as the forecast, on the same days (percent)"
    )
    skill: float | None = Field(default=None, description="1 - mape / persistence_mape")
    coverage: float | None = Field(
        default=None, description="Share of realized closes inside the interval (null: none)"
    )
    interval_level: float | None = None
    first_as_of: dt.date | None = None
    last_as_of: dt.date | None = None


class CoverageWindow(ClosedDocument):
    """Interval coverage of the served forecasts made in the last ``weeks`` weeks (``as_of``
    after ``closes_through`` minus the window), over their realized days: the short window
    shows a drifting band before the pooled record does."""

    weeks: int
    forecasts: int = Field(description="Served forecasts in the window with a realized banded day")
    days: int = Field(description="Their realized days with a band")
    coverage: float | None = Field(default=None, description="Share of those closes in the band")
    interval_level: float | None = None


class ScoredDay(ClosedDocument):
    date: dt.date
    prediction: float
    lower: float | None = None
    upper: float | None = None
    actual: float | None = Field(default=None, description="The realized close (null: not yet)")


class ForecastScore(ClosedDocument):
    """One served forecast against what happened."""

    as_of: dt.date
    model_version: str
    generated_at: str | None = None
    last_close: float
    days_scored: int
    mape: float | None = None
    persistence_mape: float | None = None
    coverage: float | None = None
    result: list[ScoredDay] | None = Field(
        default=None, description=f"Each day, for the newest {CHART_FORECASTS} forecasts only"
    )


class TrackRecord(ClosedDocument):
    """``forecasts/<ticker>/track-record.json``."""

    kind: ClassVar[str] = "track record"

    ticker: str
    closes_through: dt.date | None = None
    retention_days: int
    summary: LiveScores
    forecasts: list[ForecastScore] = Field(default_factory=list)
    versions: dict[str, LiveScores] = Field(default_factory=dict)
    rolling_coverage: list[CoverageWindow] = Field(
        default_factory=list, description=f"Over the last {ROLLING_WEEKS} weeks"
    )

    @classmethod
    def empty(cls, ticker: str, retention_days: int) -> TrackRecord:
        return cls(ticker=ticker, retention_days=retention_days, summary=LiveScores(forecasts=0))


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def live_record(rows: Iterable[LedgerRow]) -> LiveScores:
    """Pooled scores of ``rows`` (their realized days only)."""
    scored = [r for r in rows if r.days_scored > 0]
    days = sum(r.days_scored for r in scored)
    mape = _ratio(sum(r.ape_sum for r in scored), days)
    persistence = _ratio(sum(r.persistence_ape_sum for r in scored), days)
    banded = sum(r.banded_days for r in scored)
    levels = {r.interval_level for r in scored if r.banded_days}
    return LiveScores(
        forecasts=len(scored),
        days_scored=days,
        mape=mape,
        persistence_mape=persistence,
        skill=1.0 - mape / persistence if mape is not None and persistence else None,
        coverage=_ratio(sum(r.inside for r in scored), banded),
        interval_level=levels.pop() if len(levels) == 1 else None,
        first_as_of=min((r.as_of for r in scored), default=None),
        last_as_of=max((r.as_of for r in scored), default=None),
    )


def rolling_coverage(
    served: Iterable[LedgerRow],
    closes_through: dt.date | None,
    weeks: Iterable[int] = ROLLING_WEEKS,
) -> list[CoverageWindow]:
    """Coverage of the served band over each window of ``weeks`` ending at ``closes_through``
    (empty windows before anything was scored)."""
    banded = [row for row in served if row.banded_days]
    windows = []
    for span in weeks:
        start = closes_through - dt.timedelta(weeks=span) if closes_through else None
        rows = [row for row in banded if start is not None and row.as_of > start]
        pooled = live_record(rows)
        windows.append(
            CoverageWindow(
                weeks=span,
                forecasts=len(rows),
                days=sum(row.banded_days for row in rows),
                coverage=pooled.coverage,
                interval_level=pooled.interval_level,
            )
        )
    return windows


def served_rows(rows: Iterable[LedgerRow]) -> list[LedgerRow]:
    """The forecast served for each ``as_of``, newest first: of the champion-role forecasts of
    that day, the one made last (a promotion the same day replaces the morning's forecast)."""
    best: dict[dt.date, LedgerRow] = {}
    for row in rows:
        if row.role != "champion":
            continue
        known = best.get(row.as_of)
        if known is None or (row.generated_at or "", row.version) > (
            known.generated_at or "",
            known.version,
        ):
            best[row.as_of] = row
    return [best[day] for day in sorted(best, reverse=True)]


def _days(body: Mapping[str, Any], closes: Mapping[dt.date, float]) -> list[ScoredDay]:
    forecast = in_current_units(Forecast.from_dict(dict(body)), closes)
    return [
        ScoredDay(
            date=day,
            prediction=value,
            lower=forecast.lower[i] if forecast.lower is not None else None,
            upper=forecast.upper[i] if forecast.upper is not None else None,
            actual=closes.get(day),
        )
        for i, (day, value) in enumerate(zip(forecast.dates, forecast.values, strict=True))
    ]


def build_track_record(
    ledger: ScoreLedger,
    details: Mapping[Key, Mapping[str, Any]],
    closes: Mapping[dt.date, float],
    retention_days: int,
) -> TrackRecord:
    """The summary of ``ledger``; ``details`` holds the forecast bodies of (at least) the newest
    :data:`CHART_FORECASTS` served forecasts, whose days it lists."""
    served = served_rows(ledger.rows)
    by_version: dict[str, list[LedgerRow]] = {}
    for row in ledger.rows:
        by_version.setdefault(row.version, []).append(row)
    shown: list[ForecastScore] = []
    for position, row in enumerate(served[:SHOWN_FORECASTS]):
        body = details.get(row.key) if position < CHART_FORECASTS else None
        single = live_record([row])
        shown.append(
            ForecastScore(
                as_of=row.as_of,
                model_version=row.version,
                generated_at=row.generated_at,
                last_close=row.last_close,
                days_scored=row.days_scored,
                mape=single.mape,
                persistence_mape=single.persistence_mape,
                coverage=single.coverage,
                result=_days(body, closes) if body is not None else None,
            )
        )
    return TrackRecord(
        ticker=ledger.ticker,
        closes_through=ledger.closes_through,
        retention_days=retention_days,
        summary=live_record(served),
        forecasts=shown,
        versions={v: live_record(rows) for v, rows in sorted(by_version.items())},
        rolling_coverage=rolling_coverage(served, ledger.closes_through),
    )


def load_track_record(store: ArtifactStore, ticker: str) -> TrackRecord | None:
    """The ticker's ``track-record.json`` (None before the first refresh), one GET."""
    key = forecasts_prefix(ticker) + TRACK_RECORD_NAME
    value, _ = read_json(store, key)
    if value is None:
        return None
    return TrackRecord.parse(value, f"{store.uri.rstrip('/')}/{key}")
