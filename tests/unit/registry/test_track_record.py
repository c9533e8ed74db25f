"""Scoring logged forecasts on the closes that came after them, always next to persistence."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.forecast.calendar import next_dates
from cryptonic.forecast.value import Forecast
from cryptonic.registry.forecast_log import LoggedForecast
from cryptonic.registry.track_record import (
    CHART_FORECASTS,
    LedgerRow,
    ScoreLedger,
    build_track_record,
    in_current_units,
    live_record,
    rolling_coverage,
    score_forecast,
    served_rows,
    update_ledger,
)

TICKER = "BTC-USD"
D0 = dt.date(2026, 9, 1)
V1, V2 = "20260901T003000Z-0000001", "20260908T060000Z-0000002"


def logged(
    as_of: dt.date,
    version: str = V1,
    role: str = "champion",
    values: list[float] | None = None,
    last_close: float = 100.0,
    band: float | None = None,
    generated_at: str | None = None,
    calendar: str = "D",
) -> LoggedForecast:
    values = values or [100.0] * 7
    forecast = Forecast(
        ticker=TICKER,
        as_of=as_of,
        last_close=last_close,
        dates=next_dates(as_of, 7, calendar),  # type: ignore[arg-type]
        values=values,
        model_version=version,
        generated_at=generated_at or f"{as_of + dt.timedelta(days=1)}T00:30:00Z",
        lower=[v - band for v in values] if band is not None else None,
        upper=[v + band for v in values] if band is not None else None,
        interval_level=0.8 if band is not None else None,
    )
    key = f"forecasts/{TICKER}/{as_of}/{version}.json"
    return LoggedForecast(key, as_of, version, role, {**forecast.to_dict(), "role": role})  # type: ignore[arg-type]


def closes_from(start: dt.date, values: list[float]) -> dict[dt.date, float]:
    return {start + dt.timedelta(days=i): v for i, v in enumerate(values)}


def test_mape_and_the_persistence_mape_of_the_same_days():
    forecast = logged(D0, values=[110.0] * 7, last_close=100.0)
    closes = closes_from(D0 + dt.timedelta(days=1), [100.0, 125.0])  # two days realized
    row = score_forecast(forecast, closes, D0 + dt.timedelta(days=2))
    assert row.days_scored == 2
    assert row.ape_sum == pytest.approx(10.0 + 12.0)  # |100-110|/100, |125-110|/125
    assert row.persistence_ape_sum == pytest.approx(0.0 + 20.0)
    assert not row.final
    record = live_record([row])
    assert record.mape == pytest.approx(11.0)
    assert record.persistence_mape == pytest.approx(10.0)
    assert record.skill == pytest.approx(1 - 11.0 / 10.0)
    assert record.coverage is None


def test_a_forecast_is_final_once_its_last_date_has_passed():
    forecast = logged(D0)
    closes = closes_from(D0 + dt.timedelta(days=1), [101.0] * 7)
    row = score_forecast(forecast, closes, D0 + dt.timedelta(days=7))
    assert (row.days_scored, row.final) == (7, True)


def test_closes_after_the_cut_do_not_count():
    forecast = logged(D0)
    closes = closes_from(D0 + dt.timedelta(days=1), [101.0] * 7)
    row = score_forecast(forecast, closes, D0 + dt.timedelta(days=3))
    assert row.days_scored == 3


def test_a_holiday_that_never_gets_a_close_is_not_scored_but_the_forecast_ends():
    friday = dt.date(2026, 9, 4)
    forecast = logged(friday, calendar="B")  # Mon 7 .. Tue 15
    closes = {d: 100.0 for d in next_dates(friday, 7, "B") if d != dt.date(2026, 9, 7)}
    row = score_forecast(forecast, closes, dt.date(2026, 9, 15))
    assert (row.days_scored, row.final) == (6, True)


def test_interval_coverage_when_the_forecast_has_an_interval():
    forecast = logged(D0, values=[100.0] * 7, band=5.0)
    closes = closes_from(D0 + dt.timedelta(days=1), [101.0, 110.0, 96.0, 94.0])
    row = score_forecast(forecast, closes, D0 + dt.timedelta(days=4))
    assert (row.banded_days, row.inside) == (4, 2)
    record = live_record([row])
    assert record.coverage == pytest.approx(0.5)
    assert record.interval_level == 0.8


def test_each_realized_day_says_whether_its_close_fell_inside_the_band():
    forecast = logged(D0, values=[100.0] * 7, band=5.0)
    closes = closes_from(D0 + dt.timedelta(days=1), [101.0, 110.0, 96.0, 94.0])
    row = score_forecast(forecast, closes, D0 + dt.timedelta(days=4))
    assert row.inside_days == [True, False, True, False, None, None, None]
    point = score_forecast(logged(D0), closes, D0 + dt.timedelta(days=4))
    assert point.inside_days == [None] * 7  # no band: nothing to say
    assert point.days_scored == 4


def test_a_split_since_the_forecast_scores_it_in_todays_units():
    """A 2:1 split re-adjusts every earlier close: the forecast made from 200 is scored as the
    same move from today's 100, its band too, and persistence from 100."""
    forecast = logged(D0, values=[204.0] * 7, last_close=200.0, band=8.0)
    closes = closes_from(D0, [100.0, 101.0, 110.0])  # as_of's close, then two realized days
    row = score_forecast(forecast, closes, D0 + dt.timedelta(days=2))
    assert row.days_scored == 2
    assert row.ape_sum == pytest.approx(1 / 101 * 100 + 8 / 110 * 100)  # predicted 102
    assert row.persistence_ape_sum == pytest.approx(1 / 101 * 100 + 10 / 110 * 100)
    assert row.inside_days == [True, False, None, None, None, None, None]  # band 98..106
    assert row.last_close == 100.0


def test_a_revised_close_is_no_split():
    forecast = Forecast.from_dict(logged(D0, values=[110.0] * 7, last_close=100.0).body)
    assert in_current_units(forecast, {D0: 101.0}) is forecast  # 1%: a revision, a 2nd source
    assert in_current_units(forecast, {}) is forecast  # the origin's close not in the window
    reverse = in_current_units(forecast, {D0: 1000.0})  # a 1:10 reverse split
    assert reverse.values == [pytest.approx(1100.0)] * 7
    assert reverse.last_close == 1000.0


def test_a_ledger_row_from_before_the_days_were_kept_still_loads():
    row = score_forecast(logged(D0, band=5.0), closes_from(D0, [100.0] * 9), D0 + dt.timedelta(8))
    stored = row.model_dump(mode="json")
    del stored["inside_days"]
    old = LedgerRow.model_validate(stored)
    assert old.inside_days is None
    assert (old.banded_days, old.inside) == (7, 7)


def banded_row(as_of: dt.date, inside: int, banded: int = 7, version: str = V1) -> LedgerRow:
    days: list[bool | None] = [True] * inside + [False] * (banded - inside)
    return LedgerRow(
        as_of=as_of,
        version=version,
        role="champion",
        last_close=100.0,
        last_date=as_of + dt.timedelta(days=7),
        days_scored=banded,
        banded_days=banded,
        inside=inside,
        inside_days=days + [None] * (7 - banded),
        interval_level=0.8,
        final=banded == 7,
    )


def test_rolling_coverage_pools_the_served_forecasts_of_each_window():
    through = dt.date(2026, 9, 30)
    rows = [
        banded_row(through - dt.timedelta(days=3), inside=2, banded=3),  # in both windows
        banded_row(through - dt.timedelta(weeks=4), inside=7),  # in both windows
        banded_row(through - dt.timedelta(weeks=8), inside=0),  # the 8-week window ends here
        banded_row(through - dt.timedelta(weeks=20), inside=4),  # 26 weeks only
        banded_row(through - dt.timedelta(weeks=30), inside=0),  # in neither
        LedgerRow(  # a point forecast: no band, no coverage
            as_of=through - dt.timedelta(days=10),
            version=V1,
            role="champion",
            last_close=100.0,
            last_date=through,
            days_scored=7,
        ),
    ]
    short, long = rolling_coverage(rows, through)
    assert (short.weeks, short.forecasts, short.days) == (8, 2, 10)
    assert short.coverage == pytest.approx(9 / 10)
    assert (long.weeks, long.forecasts, long.days) == (26, 4, 24)
    assert long.coverage == pytest.approx(13 / 24)
    assert long.interval_level == 0.8
    [empty] = rolling_coverage([], None, weeks=(8,))
    assert (empty.forecasts, empty.days, empty.coverage) == (0, 0, None)


def test_the_summary_shows_the_rolling_coverage_of_the_served_band():
    forecasts = [logged(D0 + dt.timedelta(days=i), band=5.0) for i in range(6)]
    forecasts.append(logged(D0, V2, role="shadow", band=50.0))  # never served: never counted
    index = {f.key: (f.as_of, f.version) for f in forecasts}
    by_key = {f.key: f for f in forecasts}
    closes = closes_from(D0 + dt.timedelta(days=1), [100.0, 120.0] * 6)  # every other close out
    ledger, loaded = update_ledger(None, TICKER, index, by_key.__getitem__, closes, D0)
    record = build_track_record(ledger, {k: f.body for k, f in loaded.items()}, closes, 365)
    served = served_rows(ledger.rows)
    inside = sum(r.inside for r in served)
    banded = sum(r.banded_days for r in served)
    assert [(w.weeks, w.days) for w in record.rolling_coverage] == [(8, banded), (26, banded)]
    assert record.rolling_coverage[0].coverage == pytest.approx(inside / banded)
    assert 0 < inside < banded


def test_served_is_each_days_last_champion_forecast():
    morning = logged(D0, V1, generated_at="2026-09-02T00:30:00Z")
    promoted = logged(D0, V2, generated_at="2026-09-02T06:10:00Z")
    shadow = logged(D0 + dt.timedelta(days=1), V2, role="shadow")
    closes = closes_from(D0, [100.0] * 10)
    rows = [
        score_forecast(f, closes, D0 + dt.timedelta(days=9)) for f in (morning, promoted, shadow)
    ]
    assert [(r.as_of, r.version) for r in served_rows(rows)] == [(D0, V2)]


def test_update_ledger_reads_only_open_and_new_forecasts():
    forecasts = {f.key: f for f in (logged(D0), logged(D0 + dt.timedelta(days=5)))}
    index = {k: (f.as_of, f.version) for k, f in forecasts.items()}
    read: list[str] = []

    def reader(key):
        read.append(key)
        return forecasts[key]

    closes = closes_from(D0, [100.0] * 9)  # through D0 + 8: the first forecast is final
    ledger, loaded = update_ledger(None, TICKER, index, reader, closes, D0)
    assert len(read) == 2
    assert len(loaded) == 2
    assert [r.final for r in ledger.rows] == [False, True]  # newest first
    read.clear()
    closes = closes_from(D0, [100.0] * 10)
    again, _ = update_ledger(ledger, TICKER, index, reader, closes, D0)
    assert read == [logged(D0 + dt.timedelta(days=5)).key]  # the final row is not read again
    assert again.rows[0].days_scored == 4
    assert again.rows[1] == ledger.rows[1]


def test_update_ledger_is_the_retained_log_only():
    kept, gone = logged(D0 + dt.timedelta(days=30)), logged(D0)
    index = {kept.key: (kept.as_of, kept.version), gone.key: (gone.as_of, gone.version)}
    closes = closes_from(D0, [100.0] * 40)
    ledger, _ = update_ledger(None, TICKER, index, {kept.key: kept, gone.key: gone}.get, closes, D0)
    assert len(ledger.rows) == 2
    pruned, _ = update_ledger(ledger, TICKER, index, lambda k: kept, closes, D0 + dt.timedelta(1))
    assert [r.as_of for r in pruned.rows] == [kept.as_of]
    removed, _ = update_ledger(ledger, TICKER, {}, lambda k: kept, closes, D0)
    assert removed.rows == []


def test_the_summary_pools_served_forecasts_and_lists_the_newest_with_their_days():
    forecasts = [logged(D0 + dt.timedelta(days=i), values=[100.0 + i] * 7) for i in range(12)]
    forecasts.append(logged(D0 + dt.timedelta(days=3), V2, role="shadow", values=[90.0] * 7))
    index = {f.key: (f.as_of, f.version) for f in forecasts}
    by_key = {f.key: f for f in forecasts}
    closes = closes_from(D0, [100.0] * 14)
    ledger, loaded = update_ledger(None, TICKER, index, by_key.__getitem__, closes, D0)
    details = {k: f.body for k, f in loaded.items()}
    record = build_track_record(ledger, details, closes, 365)
    assert [f.as_of for f in record.forecasts] == sorted(
        (D0 + dt.timedelta(days=i) for i in range(12)), reverse=True
    )
    assert {f.model_version for f in record.forecasts} == {V1}  # shadows are never "served"
    with_days = [f for f in record.forecasts if f.result is not None]
    assert len(with_days) == CHART_FORECASTS
    newest = record.forecasts[0]
    assert newest.days_scored == 2
    assert newest.result is not None
    assert [d.actual for d in newest.result] == [100.0, 100.0, None, None, None, None, None]
    assert record.summary.forecasts == 12
    assert record.summary.persistence_mape == pytest.approx(0.0)
    assert record.summary.skill is None  # persistence is perfect here: no ratio to take
    assert set(record.versions) == {V1, V2}
    assert record.versions[V2].forecasts == 1
    assert record.versions[V2].mape == pytest.approx(10.0)
    again = build_track_record(
        ScoreLedger.model_validate(ledger.model_dump()), details, closes, 365
    )
    assert again.model_dump(mode="json") == record.model_dump(mode="json")


def test_a_forecast_with_no_realized_day_counts_for_nothing():
    record = live_record([score_forecast(logged(D0), {}, D0)])
    assert (record.forecasts, record.days_scored, record.mape, record.skill) == (0, 0, None, None)


def test_the_charted_days_of_a_forecast_from_before_a_split_are_in_todays_units():
    forecast = logged(D0, values=[204.0] * 7, last_close=200.0)
    closes = closes_from(D0, [100.0, 101.0])
    index, by_key = {forecast.key: (D0, V1)}, {forecast.key: forecast}
    ledger, loaded = update_ledger(None, TICKER, index, by_key.__getitem__, closes, D0)
    record = build_track_record(ledger, {k: f.body for k, f in loaded.items()}, closes, 365)
    [shown] = record.forecasts
    assert shown.result is not None
    assert shown.result[0].prediction == pytest.approx(102.0)
    assert shown.result[0].actual == 101.0
    assert shown.last_close == 100.0
