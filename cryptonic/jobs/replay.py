"""Replay a price history day by day, as the schedules would have run it: a retrain every seven
days, a refresh every day, then the live track record that produced.

This answers "how would the served forecasts have done" without waiting eight weeks, on the
same code paths as the deployed jobs (cryptonic.jobs.retrain.one_ticker.retrain and
cryptonic.jobs.refresh.one_ticker.refresh, each with ``END_DATE`` set to the replayed day, so
no job sees a close after its day). The refresh adapts the served band from the live record as
it does when deployed (cryptonic.registry.calibration); the report sets each week's coverage of
that band beside the coverage the same forecasts' fit-time band would have had (the band the
scales were applied to, recovered from the logged forecast and its scales). It writes a whole
history into the store, so it refuses a store that already has versions of the ticker.
The model is whatever the settings say (the default one, docs/judging.md); replaying the
bundled snapshot needs no network (``--data bundled``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from cryptonic.config import Settings
from cryptonic.errors import ConfigError
from cryptonic.forecast.value import Forecast
from cryptonic.jobs.refresh.one_ticker import refresh
from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.registry.calibration import BandCalibration
from cryptonic.registry.forecast_log import ForecastLog, LoggedForecast
from cryptonic.registry.keys import SCORES_NAME, forecast_key, forecasts_prefix
from cryptonic.registry.registry import Registry
from cryptonic.registry.track_record import (
    LedgerRow,
    ScoreLedger,
    TrackRecord,
    load_track_record,
    served_rows,
)
from cryptonic.store.cas import read_json
from cryptonic.store.contract import ArtifactStore

log = logging.getLogger("cryptonic.replay")

__all__ = ["ReplayResult", "format_replay", "replay"]


@dataclass
class ReplayResult:
    """What the replay ran and the track record it left."""

    ticker: str
    start: dt.date
    end: dt.date
    retrains: list[dict[str, Any]] = field(default_factory=list)
    refreshes: dict[str, int] = field(default_factory=dict)
    record: TrackRecord | None = None
    served: list[LedgerRow] = field(default_factory=list)
    fit_inside: dict[dt.date, int] = field(default_factory=dict)
    """Per served forecast (``as_of``), its realized closes inside the fit-time band: the same
    forecasts without adaptation (``served`` counts those inside the adapted band served)."""

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body["record"] = self.record.model_dump(mode="json") if self.record else None
        body["served"] = [row.model_dump(mode="json") for row in self.served]
        body["fit_inside"] = {day.isoformat(): n for day, n in self.fit_inside.items()}
        return body


def _closes(settings: Settings, ticker: str) -> dict[dt.date, float]:
    from cryptonic.data import load_prices

    frame = load_prices(ticker, settings.start_date, settings.end_date, settings.data_source)
    return {
        ts.date(): float(close) for ts, close in zip(frame["date"], frame["close"], strict=True)
    }


def fit_time_inside(logged: LoggedForecast, closes: dict[dt.date, float]) -> int:
    """Realized closes inside the band ``logged`` would have had without adaptation: its served
    band with each day's scale undone (the reciprocal scales applied the same way)."""
    forecast = Forecast.from_dict(logged.body)
    if forecast.lower is None or forecast.upper is None or forecast.interval_level is None:
        return 0
    said = BandCalibration.read(logged.body, len(forecast.values))
    undo = replace(said, scales=tuple(1.0 / s for s in said.scales)).state(forecast.interval_level)
    lower, upper = undo.band(forecast.values, forecast.lower, forecast.upper)
    realized = [(i, closes.get(day)) for i, day in enumerate(forecast.dates)]
    return sum(1 for i, close in realized if close and lower[i] <= close <= upper[i])


def replay(settings: Settings, store: ArtifactStore, ticker: str, weeks: int) -> ReplayResult:
    """Retrain on day 0, 7, 14, ... and refresh every day, for ``weeks`` weeks ending on the
    last close of the data (or ``END_DATE``)."""
    if weeks < 1:
        raise ConfigError(f"replay needs at least 1 week, got {weeks}")
    registry = Registry(store)
    if registry.version_ids(ticker):
        raise ConfigError(
            f"replay writes a whole history, and {store.uri} already has versions of {ticker}: "
            "use an empty store, e.g. --store file:///tmp/cryptonic-replay"
        )
    closes = _closes(settings, ticker)
    end = max(closes)
    start = end - dt.timedelta(days=7 * weeks)
    result = ReplayResult(ticker=ticker, start=start, end=end)
    day = start
    while day <= end:
        on_day = settings.model_copy(update={"end_date": day})
        if (day - start).days % 7 == 0:
            trained = retrain(on_day, store, ticker, force=True)
            if trained.error and not trained.version:
                raise ConfigError(f"replay: the retrain of {day} failed: {trained.reason}")
            result.retrains.append(
                {
                    "day": day.isoformat(),
                    "outcome": trained.outcome,
                    "version": trained.version,
                    "reason": trained.reason,
                }
            )
            log.info("replay %s: retrain %s %s", day, trained.outcome, trained.version)
        refreshed = refresh(on_day, store, ticker)
        if refreshed.error:
            raise ConfigError(f"replay: the refresh of {day} failed: {refreshed.reason}")
        result.refreshes[refreshed.outcome] = result.refreshes.get(refreshed.outcome, 0) + 1
        day += dt.timedelta(days=1)
    _read_record(store, result, closes)
    return result


def _read_record(store: ArtifactStore, result: ReplayResult, closes: dict[dt.date, float]) -> None:
    """The track record the replay left, its served forecasts, and their fit-time coverage."""
    ticker = result.ticker
    result.record = load_track_record(store, ticker)
    key = forecasts_prefix(ticker) + SCORES_NAME
    ledger, _ = read_json(store, key)
    if ledger is not None:
        result.served = served_rows(ScoreLedger.parse(ledger, key).rows)
    log_ = ForecastLog(store)
    result.fit_inside = {
        row.as_of: fit_time_inside(log_.read(forecast_key(ticker, row.as_of, row.version)), closes)
        for row in result.served
        if row.banded_days
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}%"


def _coverage(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _skill(mape: float | None, persistence: float | None) -> str:
    return "-" if mape is None or not persistence else f"{1 - mape / persistence:+.3f}"


def weekly(result: ReplayResult) -> list[dict[str, Any]]:
    """The served forecasts pooled per replayed week (by ``as_of``), oldest first."""
    weeks: dict[int, dict[str, Any]] = {}
    for row in result.served:
        index = (row.as_of - result.start).days // 7
        week = weeks.setdefault(
            index,
            {
                "from": result.start + dt.timedelta(days=7 * index),
                "forecasts": 0,
                "days": 0,
                "ape": 0.0,
                "persistence": 0.0,
                "inside": 0,
                "fit_inside": 0,
                "banded": 0,
            },
        )
        week["forecasts"] += 1
        week["days"] += row.days_scored
        week["ape"] += row.ape_sum
        week["persistence"] += row.persistence_ape_sum
        week["inside"] += row.inside
        week["fit_inside"] += result.fit_inside.get(row.as_of, 0)
        week["banded"] += row.banded_days
    return [weeks[k] for k in sorted(weeks)]


def _share(inside: int, banded: int) -> str:
    return _coverage(inside / banded if banded else None)


def _weekly_table(result: ReplayResult) -> list[str]:
    """The served forecasts week by week against persistence, and their interval coverage with
    the fit-time band and with the adaptive band that was served."""
    lines = [
        "| forecasts made (as_of) | served | days scored | MAPE | persistence MAPE | skill "
        "| coverage, fit-time band | coverage, adaptive band |",
        "|---|---|---|---|---|---|---|---|",
    ]
    total = {"days": 0, "ape": 0.0, "persistence": 0.0, "inside": 0, "fit_inside": 0, "banded": 0}
    for week in weekly(result):
        for name in total:
            total[name] += week[name]
        until = min(week["from"] + dt.timedelta(days=6), result.end)
        lines.append(_week_line(f"{week['from']} .. {until}", week["forecasts"], week))
    lines.append(_week_line("**all**", len(result.served), total))
    return lines


def _week_line(label: str, forecasts: int, sums: dict[str, Any]) -> str:
    days = sums["days"]
    mape = sums["ape"] / days if days else None
    persistence = sums["persistence"] / days if days else None
    return (
        f"| {label} | {forecasts} | {days} | {_pct(mape)} | {_pct(persistence)} | "
        f"{_skill(mape, persistence)} | {_share(sums['fit_inside'], sums['banded'])} | "
        f"{_share(sums['inside'], sums['banded'])} |"
    )


def format_replay(result: ReplayResult) -> str:
    """The replay as docs/cli.md describes it: the retrains, the served forecasts week by week
    against persistence (coverage with and without the adaptive calibration), and each
    version's live record (champions and shadows)."""
    counts = ", ".join(f"{n} {k}" for k, n in sorted(result.refreshes.items()))
    lines = [
        f"{result.ticker}: replayed {result.start} .. {result.end}: "
        f"{len(result.retrains)} weekly retrains, "
        f"{sum(result.refreshes.values())} daily refreshes ({counts})",
        "",
        "| retrain on | outcome | version |",
        "|---|---|---|",
    ]
    lines += [f"| {r['day']} | {r['outcome']} | {r['version']} |" for r in result.retrains]
    record = result.record
    if record is None:
        return "\n".join([*lines, "", "no track record"])
    lines += ["", *_weekly_table(result)]
    served = {row.version for row in result.served}
    lines += [
        "",
        "| version | role | forecasts scored | MAPE | persistence MAPE | skill "
        "| interval coverage |",
        "|---|---|---|---|---|---|---|",
    ]
    for version, live in record.versions.items():
        role = "champion" if version in served else "shadow"
        lines.append(
            f"| {version} | {role} | {live.forecasts} | {_pct(live.mape)} | "
            f"{_pct(live.persistence_mape)} | {_skill(live.mape, live.persistence_mape)} "
            f"| {_coverage(live.coverage)} |"
        )
    return "\n".join(lines)
