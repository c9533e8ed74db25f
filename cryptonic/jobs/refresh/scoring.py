"""The refresh's scoring step: every logged forecast scored on the closes that came after it, in
the ledger (``scores.json``), then the summary serving shows (``track-record.json``).

Each is written by compare-and-swap with a merge (cryptonic.store.cas): two refreshes, or a
refresh and a retrain logging its forecast, may score at the same time and neither loses the
other's rows. The summary reads the ledger again when it is written, so rows another writer
added in between are in it too.
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


def score(
    forecasts: ForecastLog,
    ticker: str,
    closes: dict[dt.date, float],
    keep_from: dt.date,
    retention_days: int,
) -> dict[str, Any]:
    """Ledger then summary, each by compare-and-swap; the track record's ``summary``."""
    store = forecasts.store
    prefix = forecasts_prefix(ticker)
    read: dict[Key, LoggedForecast] = {}

    def reader(key: str) -> LoggedForecast:
        logged = forecasts.read(key)
        read[(logged.as_of, logged.version)] = logged
        return logged

    def next_ledger(current: Any) -> Any:
        ledger = None if current is None else ScoreLedger.parse(current, prefix + SCORES_NAME)
        updated, _ = update_ledger(
            ledger, ticker, forecasts.keys(ticker), reader, closes, keep_from
        )
        return updated.model_dump(mode="json")

    written = update_json(store, prefix + SCORES_NAME, next_ledger)
    ledger = ScoreLedger.model_validate(written.value)

    def next_record(_current: Any) -> Any:
        fresh, _ = read_json(store, prefix + SCORES_NAME)
        latest = ScoreLedger.parse(fresh, prefix + SCORES_NAME) if fresh is not None else ledger
        details: dict[Key, dict[str, Any]] = {}
        for row in served_rows(latest.rows)[:CHART_FORECASTS]:
            logged = read.get(row.key) or reader(
                f"{prefix}{row.as_of.isoformat()}/{row.version}.json"
            )
            details[row.key] = logged.body
        record = build_track_record(latest, details, closes, retention_days)
        return record.model_dump(mode="json")

    summary: dict[str, Any] = update_json(store, prefix + TRACK_RECORD_NAME, next_record).value
    return summary["summary"]  # type: ignore[no-any-return]
