"""The refresh's scoring step: every logged forecast scored on the closes that came after it, in
the ledger (``scores.json``), then the summary serving shows (``track-record.json``).

Each is written by compare-and-swap with a merge (cryptonic.store.cas): two refreshes, or a
refresh and a retrain logging its forecast, may score at the same time and neither loses the
other's rows. The summary reads the ledger again when it is written, so rows another writer
added in between are in it too; it is derived from the ledger and the log whole, so a summary
damaged by hand is rebuilt rather than failing a refresh that has already logged its forecast.

The refresh scores twice and writes once: before its forecast, :meth:`Scoring.preview` scores
the log on the new closes in memory, so the adaptive calibration learns from every outcome that
matured today before the day's band is drawn; after it, :meth:`Scoring.score` writes the ledger
with the new forecasts in. Forecast objects never change once written, so the one read of each
serves both passes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptonic.registry.forecast_log import ForecastLog, LoggedForecast
from cryptonic.registry.keys import SCORES_NAME, TRACK_RECORD_NAME, forecasts_prefix
from cryptonic.registry.track_record import (
    CHART_FORECASTS,
    Key,
    ScoreLedger,
    build_track_record,
    served_rows,
    update_ledger,
)
from cryptonic.store.cas import read_json, update_json

__all__ = ["Scoring"]


class Scoring:
    """One refresh's scoring of one ticker on ``closes``, its forecast reads shared."""

    def __init__(
        self,
        forecasts: ForecastLog,
        ticker: str,
        closes: dict[dt.date, float],
        keep_from: dt.date,
        retention_days: int,
    ) -> None:
        self.forecasts, self.ticker, self.closes = forecasts, ticker, closes
        self.keep_from, self.retention_days = keep_from, retention_days
        self.prefix = forecasts_prefix(ticker)
        self._read: dict[str, LoggedForecast] = {}

    def _reader(self, key: str) -> LoggedForecast:
        logged = self._read.get(key)
        if logged is None:
            logged = self._read[key] = self.forecasts.read(key)
        return logged

    def _ledger(self, current: Any) -> ScoreLedger:
        key = self.prefix + SCORES_NAME
        ledger = None if current is None else ScoreLedger.parse(current, key)
        updated, _ = update_ledger(
            ledger,
            self.ticker,
            self.forecasts.keys(self.ticker),
            self._reader,
            self.closes,
            self.keep_from,
        )
        return updated

    def preview(self) -> ScoreLedger:
        """The ledger of the log as it stands, on these closes; nothing written."""
        current, _ = read_json(self.forecasts.store, self.prefix + SCORES_NAME)
        return self._ledger(current)

    def score(self) -> dict[str, Any]:
        """Ledger then summary, each by compare-and-swap; the track record's ``summary``."""
        store, prefix = self.forecasts.store, self.prefix
        written = update_json(
            store,
            prefix + SCORES_NAME,
            lambda current: self._ledger(current).model_dump(mode="json"),
        )
        ledger = ScoreLedger.model_validate(written.value)

        def next_record(_current: Any) -> Any:
            fresh, _ = read_json(store, prefix + SCORES_NAME)
            latest = ScoreLedger.parse(fresh, prefix + SCORES_NAME) if fresh is not None else ledger
            details: dict[Key, dict[str, Any]] = {}
            for row in served_rows(latest.rows)[:CHART_FORECASTS]:
                details[row.key] = self._reader(
                    f"{prefix}{row.as_of.isoformat()}/{row.version}.json"
                ).body
            record = build_track_record(latest, details, self.closes, self.retention_days)
            return record.model_dump(mode="json")

        summary: dict[str, Any] = update_json(
            store, prefix + TRACK_RECORD_NAME, next_record, derived=True
        ).value
        return summary["summary"]  # type: ignore[no-any-return]
