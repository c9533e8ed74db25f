"""The retrain's first step: the price snapshot it trains on, validated and identified.

The snapshot is what a published version says it was trained on: its CSV is published beside the
model (``prices.csv``), and the sha256 in the manifest's ``data`` section names it, which is how
a rerun on the same prices knows it would only repeat a training (cryptonic.jobs.retrain.skip).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cryptonic.config import Settings
from cryptonic.forecast.calendar import TradingDays
from cryptonic.forecast.windows import DAYS_PER_WEEK, FloatArray
from cryptonic.registry.manifest import DataInfo, SourceCheck
from cryptonic.training.model.spec import ModelSpec

if TYPE_CHECKING:
    from cryptonic.data import Agreement


@dataclass(frozen=True)
class PriceSnapshot:
    """The prices a retrain trains on: arrays for the models, the CSV it publishes, and the
    manifest's ``data`` section, whose sha256 identifies the snapshot."""

    dates: list[dt.date]
    closes: FloatArray
    csv: bytes
    info: DataInfo
    calendar: TradingDays
    """The ticker's trading days (its exchange's sessions): what its forecast is dated on."""

    @property
    def end(self) -> str:
        """The last date, ISO: what "no new data" messages name."""
        return self.dates[-1].isoformat()


def load_snapshot(settings: Settings, ticker: str, spec: ModelSpec) -> PriceSnapshot:
    """The validated prices, with enough rows for a fit before the first backtest origin, from
    the first source of ``DATA_SOURCES`` that answers; the other sources' agreement with them is
    logged (and recorded) when more than one answers."""
    from cryptonic.config import source_chain
    from cryptonic.data import (
        frame_calendar,
        frame_sha256,
        infer_calendar,
        load_prices,
        passed_over,
        price_source,
        to_yahoo_csv,
    )
    from cryptonic.data.cross_check import cross_check_against

    min_rows = spec.min_training_closes + DAYS_PER_WEEK * (settings.backtest_weeks + 1)
    frame = load_prices(
        ticker,
        settings.start_date,
        settings.end_date,
        settings.data_source,
        min_rows=min_rows,
        settings=settings,
    )
    chain = list(source_chain(settings.data_source))
    checks = cross_check_against(frame, ticker, settings.data_source, settings=settings)
    dates = [d.date() for d in frame["date"]]
    return PriceSnapshot(
        dates=dates,
        closes=frame["close"].to_numpy(dtype=np.float64),
        csv=to_yahoo_csv(frame),
        info=DataInfo(
            start=dates[0],
            end=dates[-1],
            rows=len(dates),
            sha256=frame_sha256(frame),
            source=price_source(frame) or settings.data_source,
            calendar=infer_calendar(frame),
            **_provenance(chain, passed_over(frame), checks),
        ),
        calendar=frame_calendar(frame, ticker),
    )


def _provenance(
    chain: list[str], passed: tuple[str, ...], checks: tuple[Agreement, ...]
) -> dict[str, Any]:
    """The manifest's chain fields, only when there is a chain (one source: as before)."""
    if len(chain) < 2 and not passed:
        return {}
    return {
        "chain": chain,
        "passed_over": list(passed),
        "cross_checks": [
            SourceCheck(
                source=c.other,
                days=c.days,
                median=c.median,
                worst=c.worst,
                worst_day=c.worst_day,
                missing=len(c.missing),
            )
            for c in checks
        ],
    }
