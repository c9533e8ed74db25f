"""The daily refresh against both stores: forecasts of the latest close logged once, scored on
the closes that follow, shadows beside the champion, and every way it must not lose anything."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from cryptonic.config import Settings
from cryptonic.data import DataUnavailableError, calendar_release, load_prices, to_yahoo_csv
from cryptonic.errors import StoreUnavailableError
from cryptonic.forecast.calendar import Sessions
from cryptonic.forecast.predictor import Predictor
from cryptonic.forecast.value import Forecast
from cryptonic.jobs.refresh import prices
from cryptonic.jobs.refresh.one_ticker import refresh
from cryptonic.registry.calibration import CalibrationState
from cryptonic.registry.forecast_log import ForecastLog
from cryptonic.registry.keys import calibration_key, latest_key
from cryptonic.registry.registry import Registry
from cryptonic.registry.track_record import ScoreLedger, served_rows
from tests.fixtures.api import WatchedStore
from tests.fixtures.prices import make_prices
from tests.fixtures.published import BASE_TIME, TICKER, publish_version

pytestmark = pytest.mark.slow


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    """The prices the published fixture model was trained on (300 days from 2020-01-06)."""
    path = tmp_path / "prices.csv"
    path.write_bytes(to_yahoo_csv(make_prices(300)))
    return path


def settings(store, source, end: dt.date | None, **overrides) -> Settings:
    return Settings(store_uri=store.uri, data_source=str(source), end_date=end, **overrides)


def cut_at(csv: Path, last: dt.date):
    """A price loader whose newest close is ``last`` whatever the day (a feed that stopped)."""

    def load(ticker, start=None, end=None, source="auto", min_rows=None):
        return load_prices(ticker, start, last, str(csv), min_rows=min_rows)

    return load


def failing(ticker, start=None, end=None, source="auto", min_rows=None):
    raise DataUnavailableError("Yahoo Finance did not answer (test)")


def at(day: dt.date, hour: int = 0, minute: int = 30) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def champion_entry(store, version):
    pointer, _ = ForecastLog(store).latest(TICKER)
    assert pointer is not None
    return pointer.versions[version]


def test_refresh_logs_the_champions_forecast_of_the_latest_close(store, published_model, csv):
    registry = Registry(store)
    version = publish_version(registry, published_model, days=280)
    end = published_model.dates[289]
    result = refresh(settings(store, csv, end), store, TICKER, now=at(end + dt.timedelta(1)))
    assert result.ok, result.error
    assert (result.outcome, result.champion, result.as_of) == ("refreshed", version, str(end))
    assert result.forecasts == [
        {"version": version, "role": "champion", "as_of": str(end), "created": True}
    ]
    entry = champion_entry(store, version)
    assert (entry.as_of, entry.role) == (end, "champion")
    body = ForecastLog(store).load(TICKER, version, entry).body
    expected = Predictor(published_model.tflite).forecast(
        published_model.closes[:290], end, ticker=TICKER
    )
    assert Forecast.from_dict(body).values == pytest.approx(expected.values)
    assert result.served == {
        "version": version,
        "as_of": str(end),
        "generated_at": f"{end + dt.timedelta(1)}T00:30:00Z",
        "age_hours": 0.5,  # since the close of `end` was final, at 00:00
        "stale": False,
    }
    record = store.get_json(f"forecasts/{TICKER}/track-record.json")
    assert [(f["as_of"], f["days_scored"]) for f in record["forecasts"]] == [(str(end), 0)]


def test_a_rerun_the_same_day_writes_nothing(store, published_model, csv):
    publish_version(Registry(store), published_model, days=280)
    end = published_model.dates[289]
    first = refresh(settings(store, csv, end), store, TICKER)
    watched = WatchedStore(store)
    again = refresh(settings(store, csv, end), watched, TICKER)
    assert first.outcome == "refreshed"
    assert again.outcome == "unchanged", again.reason
    assert "already up to date" in again.reason
    assert [c for c in watched.calls if c in {"put_bytes", "put_json", "delete"}] == []


def test_daily_refreshes_score_the_first_forecast_against_persistence(store, published_model, csv):
    version = publish_version(Registry(store), published_model, days=280)
    days = published_model.dates
    for i in range(280, 288):  # forecasts as of days[280] .. days[287]
        result = refresh(settings(store, csv, days[i]), store, TICKER)
        assert result.outcome == "refreshed", result.reason
    record = store.get_json(f"forecasts/{TICKER}/track-record.json")
    first = record["forecasts"][-1]
    assert (first["as_of"], first["model_version"], first["days_scored"]) == (
        str(days[280]),
        version,
        7,
    )
    logged = ForecastLog(store).read(f"forecasts/{TICKER}/{days[280]}/{version}.json")
    forecast = Forecast.from_dict(logged.body)
    actual = published_model.closes[281:288]
    mape = sum(abs(a - p) / a for a, p in zip(actual, forecast.values, strict=True)) / 7 * 100
    persistence = sum(abs(a - forecast.last_close) / a for a in actual) / 7 * 100
    assert first["mape"] == pytest.approx(mape)
    assert first["persistence_mape"] == pytest.approx(persistence)
    assert [d["actual"] for d in first["result"]] == pytest.approx(actual)
    summary = record["summary"]
    assert summary["forecasts"] == 7  # the newest has no realized day yet
    assert summary["days_scored"] == 7 + 6 + 5 + 4 + 3 + 2 + 1
    assert summary["skill"] == pytest.approx(1 - summary["mape"] / summary["persistence_mape"])
    assert record["versions"][version]["forecasts"] == 7
    assert all(f["result"] is not None for f in record["forecasts"])  # 8: the chart's all


def test_no_new_close_is_said_and_fails_only_after_n_trading_days(store, published_model, csv):
    version = publish_version(Registry(store), published_model, days=280)
    last = published_model.dates[285]
    yahoo = {"refresh_max_missed_days": 3}
    stopped = cut_at(csv, last)
    first = refresh(settings(store, "yahoo", None, **yahoo), store, TICKER,
                    now=at(last + dt.timedelta(1)), load=stopped)  # fmt: skip
    assert first.outcome == "refreshed"

    later = refresh(settings(store, "yahoo", None, **yahoo), store, TICKER,
                    now=at(last + dt.timedelta(2)), load=stopped)  # fmt: skip
    assert later.ok
    assert later.outcome == "no_new_data"
    assert later.missing == [str(last + dt.timedelta(1))]
    assert "1 of 3 allowed trading days missing" in later.reason
    assert f"still serving the forecast as of {last}" in later.reason

    loud = refresh(settings(store, "yahoo", None, **yahoo), store, TICKER,
                   now=at(last + dt.timedelta(4)), load=stopped)  # fmt: skip
    assert loud.outcome == "failed"
    assert loud.error["code"] == "stale_data"
    assert "no close for 3 trading days" in loud.error["message"]
    assert champion_entry(store, version).as_of == last  # the previous forecast keeps serving


def test_closes_missing_past_the_exchange_calendar_are_said_to_be_maybe_holidays(
    store, published_model, csv, monkeypatch
):
    version = publish_version(Registry(store), published_model, days=280)
    last = published_model.dates[285]
    first = published_model.dates[0]
    days = frozenset(first + dt.timedelta(n) for n in range((last - first).days + 1))
    ends_at_last = Sessions("XTEST", first, last, days, "D")  # a release that knows no later day
    monkeypatch.setattr(prices, "trading_days", lambda ticker, week, since: ends_at_last)
    stopped, limit = cut_at(csv, last), {"refresh_max_missed_days": 3}
    refresh(settings(store, "yahoo", None, **limit), store, TICKER,
            now=at(last + dt.timedelta(1)), load=stopped)  # fmt: skip

    later = refresh(settings(store, "yahoo", None, **limit), store, TICKER,
                    now=at(last + dt.timedelta(2)), load=stopped)  # fmt: skip
    loud = refresh(settings(store, "yahoo", None, **limit), store, TICKER,
                   now=at(last + dt.timedelta(4)), load=stopped)  # fmt: skip

    release = calendar_release()
    assert later.outcome == "no_new_data"
    assert (
        f"1 of 3 allowed trading days missing; 1 of them after {last}, where the XTEST "
        f"calendar of exchange_calendars {release} ends: a holiday there counts as a missing "
        "close until a newer release is pinned)"
    ) in later.reason
    assert loud.error is not None
    assert loud.error["code"] == "stale_data"
    assert f"3 of them after {last}, where the XTEST calendar" in loud.error["message"]
    assert champion_entry(store, version).as_of == last


def test_a_damaged_champion_model_fails_the_refresh_before_anything_is_written(
    store, published_model, csv
):
    version = publish_version(Registry(store), published_model, days=280)
    days = published_model.dates
    refresh(settings(store, csv, days[286]), store, TICKER)
    model_key = f"{TICKER}/versions/{version}/model.tflite"
    damaged = bytearray(store.get_bytes(model_key))
    damaged[len(damaged) // 2] ^= 0xFF
    store.put_bytes(model_key, bytes(damaged))
    watched = WatchedStore(store)

    failed = refresh(settings(store, csv, days[289]), watched, TICKER)

    assert failed.error is not None
    assert failed.error["code"] == "integrity_error"
    assert [c for c in watched.calls if c in {"put_bytes", "put_json", "delete"}] == []
    assert champion_entry(store, version).as_of == days[286]  # the previous forecast serves


def test_a_model_whose_forecast_is_not_finite_fails_before_anything_is_written(
    store, published_model, csv, monkeypatch
):
    """The calibration state would move first if the model ran after it (it did)."""
    version = publish_version(Registry(store), published_model, days=280)
    days = published_model.dates
    refresh(settings(store, csv, days[286]), store, TICKER)
    run = Predictor.run
    monkeypatch.setattr(Predictor, "run", lambda self, window: run(self, window) * float("nan"))
    watched = WatchedStore(store)

    failed = refresh(settings(store, csv, days[296]), watched, TICKER)

    assert failed.error is not None
    assert failed.error["code"] == "model_error"
    assert "non-finite" in failed.error["message"]
    assert [c for c in watched.calls if c in {"put_bytes", "put_json", "delete"}] == []
    assert champion_entry(store, version).as_of == days[286]  # the previous forecast serves


def test_a_damaged_track_record_is_rebuilt_from_the_ledger(store, published_model, csv, caplog):
    publish_version(Registry(store), published_model, days=280)
    days = published_model.dates
    first = refresh(settings(store, csv, days[286]), store, TICKER)
    record_key = f"forecasts/{TICKER}/track-record.json"
    store.put_bytes(record_key, store.get_bytes(record_key)[:40])  # half-written by hand

    later = refresh(settings(store, csv, days[289]), store, TICKER)

    assert later.outcome == "refreshed", later.error
    assert later.track_record is not None
    assert later.track_record["forecasts"] > first.track_record["forecasts"]
    assert json.loads(store.get_bytes(record_key))["summary"] == later.track_record
    assert "track-record.json is unreadable" in caplog.text


def test_offline_no_newer_close_is_expected_and_the_run_says_why(
    store, published_model, csv, monkeypatch
):
    publish_version(Registry(store), published_model, days=280)
    last = published_model.dates[285]
    monkeypatch.setenv("CRYPTONIC_OFFLINE", "1")  # only fixed snapshots answer the chain
    stopped = cut_at(csv, last)
    first = refresh(settings(store, "auto", None), store, TICKER,
                    now=at(last + dt.timedelta(1)), load=stopped)  # fmt: skip
    weeks_later = refresh(settings(store, "auto", None), store, TICKER,
                          now=at(last + dt.timedelta(30)), load=stopped)  # fmt: skip
    assert first.outcome == "refreshed"
    assert weeks_later.ok
    assert (weeks_later.outcome, weeks_later.expected, weeks_later.missing) == (
        "no_new_data",
        None,
        [],
    )
    assert weeks_later.reason == (
        f"no new data: CRYPTONIC_OFFLINE=1, so only fixed snapshots answer (latest close {last}); "
        f"still serving the forecast as of {last}"
    )


def test_yahoo_failing_keeps_the_previous_forecast_and_loses_nothing(store, published_model, csv):
    version = publish_version(Registry(store), published_model, days=280)
    last = published_model.dates[285]
    yahoo: dict[str, object] = {}
    refresh(settings(store, csv, last), store, TICKER, now=at(last + dt.timedelta(1)))
    before = sorted(store.list(""))
    result = refresh(settings(store, "yahoo", None, **yahoo), store, TICKER,
                     now=at(last + dt.timedelta(2)), load=failing)  # fmt: skip
    assert result.ok
    assert result.outcome == "no_new_data"
    assert "no price source answered (Yahoo Finance did not answer (test))" in result.reason
    assert sorted(store.list("")) == before
    assert result.served["as_of"] == str(last)
    loud = refresh(settings(store, "yahoo", None, **yahoo), store, TICKER,
                   now=at(last + dt.timedelta(5)), load=failing)  # fmt: skip
    assert loud.error["code"] == "stale_data"
    assert "Yahoo Finance did not answer" in loud.error["message"]
    assert champion_entry(store, version).as_of == last


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: f.assign(close=f["close"].where(f.index != len(f) - 1, 0.0)), "non-positive"),
        (lambda f: f.drop(index=len(f) - 3).reset_index(drop=True), "missing 1 day between"),
    ],
    ids=["zero-close", "gap"],
)
def test_bad_latest_prices_are_refused_and_the_previous_forecast_serves(
    store, published_model, csv, tmp_path, damage, message
):
    version = publish_version(Registry(store), published_model, days=280)
    good_end = published_model.dates[285]
    refresh(settings(store, csv, good_end), store, TICKER)
    before = {k: store.get_bytes(k) for k in store.list("forecasts/")}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_yahoo_csv(damage(make_prices(290))))
    result = refresh(settings(store, bad, None), store, TICKER)
    assert result.outcome == "failed"
    assert result.error["code"] == "bad_data"
    assert message in result.error["message"]
    assert {k: store.get_bytes(k) for k in store.list("forecasts/")} == before
    assert champion_entry(store, version).as_of == good_end


def test_shadow_challengers_are_refreshed_and_scored_never_served(store, published_model, csv):
    minute = dt.timedelta(minutes=1)
    registry = Registry(store, clock=lambda: BASE_TIME + minute)  # promoted a minute after
    before = publish_version(registry, published_model, days=270, promote=False, when=BASE_TIME)
    champion = publish_version(registry, published_model, days=275, when=BASE_TIME)
    rejected = [
        publish_version(
            registry,
            published_model,
            days=276 + i,
            promote=False,
            when=BASE_TIME + (2 + i) * minute,
        )
        for i in range(3)
    ]
    days = published_model.dates
    for i in (285, 292):
        result = refresh(settings(store, csv, days[i], shadow_challengers=2), store, TICKER)
        assert result.ok, result.error
    assert result.champion == champion
    assert result.shadows == [rejected[2], rejected[1]]  # the newest two, never `before`
    pointer, _ = ForecastLog(store).latest(TICKER)
    roles = {v: e.role for v, e in pointer.versions.items()}
    assert roles == {champion: "champion", rejected[2]: "shadow", rejected[1]: "shadow"}
    assert before not in roles
    record = store.get_json(f"forecasts/{TICKER}/track-record.json")
    assert {f["model_version"] for f in record["forecasts"]} == {champion}
    assert set(record["versions"]) == {champion, rejected[2], rejected[1]}
    assert record["versions"][rejected[2]]["forecasts"] == 1
    log = ForecastLog(store)
    served = log.load(TICKER, champion, pointer.versions[champion]).body
    shadow = log.load(TICKER, rejected[2], pointer.versions[rejected[2]]).body
    assert (served["calibration"], served["calibration_outcomes"]) == ("adaptive", 7)
    assert "calibration" not in shadow  # a shadow's band stays as fitted: it is never served


def test_a_pinned_version_is_the_one_refreshed(store, published_model, csv):
    registry = Registry(store)
    pinned = publish_version(registry, published_model, days=270)
    publish_version(registry, published_model, days=280)
    end = published_model.dates[289]
    result = refresh(settings(store, csv, end, model_version=pinned), store, TICKER)
    assert result.champion == pinned
    assert champion_entry(store, pinned).as_of == end


def test_a_pin_applies_to_the_ticker_it_names_and_the_others_refresh_their_champion(
    store, published_model, csv
):
    """MODEL_VERSION=BTC-USD=<old>: BTC-USD refreshes the pinned version, ETH-USD its champion
    (before pins per ticker, ETH-USD's refresh failed, and paged, on BTC-USD's version)."""
    registry = Registry(store)
    pinned = publish_version(registry, published_model, days=270)
    publish_version(registry, published_model, days=280)
    eth = publish_version(registry, published_model, ticker="ETH-USD", days=280)
    end = published_model.dates[289]
    config = settings(store, csv, end, model_version=f"BTC-USD={pinned}")
    btc = refresh(config, store, TICKER, now=at(end + dt.timedelta(1)))
    other = refresh(config, store, "ETH-USD", now=at(end + dt.timedelta(1)))
    assert (btc.ok, btc.outcome, btc.champion) == (True, "refreshed", pinned)
    assert (other.ok, other.outcome, other.champion) == (True, "refreshed", eth)
    assert champion_entry(store, pinned).as_of == end
    pointer, _ = ForecastLog(store).latest("ETH-USD")
    assert pointer is not None
    assert pointer.versions[eth].as_of == end


def test_a_bare_version_id_pins_the_ticker_that_has_it(store, published_model, csv):
    """The book's MODEL_NAME, a version id alone: the ticker that published it refreshes it; a
    ticker without it refreshes its champion (one HEAD of its manifest says so)."""
    registry = Registry(store)
    pinned = publish_version(registry, published_model, days=270)
    publish_version(registry, published_model, days=280)
    eth = publish_version(registry, published_model, ticker="ETH-USD", days=280)
    end = published_model.dates[289]
    config = settings(store, csv, end, model_version=pinned)
    assert refresh(config, store, TICKER, now=at(end + dt.timedelta(1))).champion == pinned
    other = refresh(config, store, "ETH-USD", now=at(end + dt.timedelta(1)))
    assert (other.ok, other.champion) == (True, eth)


def test_a_pin_of_a_version_its_ticker_lacks_fails_that_ticker_only(store, published_model, csv):
    registry = Registry(store)
    btc = publish_version(registry, published_model, days=280)
    eth = publish_version(registry, published_model, ticker="ETH-USD", days=280)
    end = published_model.dates[289]
    config = settings(store, csv, end, model_version=f"ETH-USD={btc}")
    failed = refresh(config, store, "ETH-USD", now=at(end + dt.timedelta(1)))
    assert failed.error is not None
    assert failed.error["code"] == "not_found"
    assert f"pinned model version {btc} (MODEL_VERSION) of ETH-USD" in failed.error["message"]
    assert ForecastLog(store).latest("ETH-USD") == (None, None), f"{eth} was not refreshed"
    assert refresh(config, store, TICKER, now=at(end + dt.timedelta(1))).champion == btc


def test_the_served_forecasts_age_counts_from_its_close_not_from_the_refresh(
    store, published_model, csv
):
    """A price source stuck on an old close (a blocked feed): the refresh logs a forecast of it
    today, and reports that forecast as old as its close, stale for the alarm."""
    registry = Registry(store)
    publish_version(registry, published_model, days=280)
    last = published_model.dates[285]
    now = at(last + dt.timedelta(days=10), hour=9, minute=0)
    result = refresh(
        settings(store, csv, None, refresh_max_missed_days=30),
        store,
        TICKER,
        now=now,
        load=cut_at(csv, last),
    )
    assert result.ok, result.error
    served = result.served
    assert served is not None
    assert (served["as_of"], served["generated_at"]) == (
        str(last),
        now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    assert (served["age_hours"], served["stale"]) == (9 * 24 + 9.0, True)


def test_no_model_yet_is_not_a_failure(store, csv):
    result = refresh(settings(store, csv, None), store, TICKER)
    assert result.ok
    assert result.outcome == "no_model"
    assert "cryptonic retrain --ticker BTC-USD" in result.reason
    assert store.list("") == []


def test_old_forecasts_are_pruned_after_the_retention(store, published_model, csv):
    version = publish_version(Registry(store), published_model, days=200, source=str(csv))
    days = published_model.dates
    keep = {"forecast_retention_days": 14}
    refresh(settings(store, csv, days[230], **keep), store, TICKER)
    result = refresh(settings(store, csv, days[250], **keep), store, TICKER)
    assert result.pruned == 1
    assert list(ForecastLog(store).keys(TICKER).values()) == [(days[250], version)]
    ledger = store.get_json(f"forecasts/{TICKER}/scores.json")
    assert [r["as_of"] for r in ledger["rows"]] == [str(days[250])]
    assert json.loads(store.get_bytes(latest_key(TICKER)))["versions"][version]["as_of"] == str(
        days[250]
    )


# -- the adaptive calibration of the served band --------------------------------------------


def calibration_state(store) -> CalibrationState:
    return CalibrationState.parse(store.get_json(calibration_key(TICKER)), "calibration.json")


def matured_served_days(store, version: str) -> int:
    """Realized banded days of ``version``'s served forecasts, as the ledger scored them."""
    ledger = ScoreLedger.model_validate(store.get_json(f"forecasts/{TICKER}/scores.json"))
    return sum(r.banded_days for r in served_rows(ledger.rows) if r.version == version)


def test_the_served_band_is_adapted_from_each_matured_outcome_once(store, published_model, csv):
    version = publish_version(Registry(store), published_model, days=280)
    days = published_model.dates
    for i in range(280, 290):
        result = refresh(settings(store, csv, days[i]), store, TICKER)
        assert result.outcome == "refreshed", result.reason
    state = calibration_state(store)
    assert state.version == version
    assert (
        state.adaptive.updates
        == matured_served_days(store, version)
        == 7 * 3 + 6 + 5 + 4 + 3 + 2 + 1  # as of days 280 .. 288
    )
    assert result.calibration == {
        "calibration": "adaptive",
        "interval_scales": list(state.adaptive.scales),
        "calibration_outcomes": state.adaptive.updates,
    }
    body = ForecastLog(store).load(TICKER, version, champion_entry(store, version)).body
    assert (body["calibration"], body["interval_scales"]) == (
        "adaptive",
        list(state.adaptive.scales),
    )
    fit = Predictor(published_model.tflite).forecast(
        published_model.closes[:290], days[289], ticker=TICKER
    )
    served = Forecast.from_dict(body)
    assert fit.lower is not None
    assert served.lower is not None
    assert served.upper is not None
    assert served.values == pytest.approx(fit.values)
    for i, scale in enumerate(state.adaptive.scales):
        assert served.lower[i] == pytest.approx(
            fit.values[i] - scale * (fit.values[i] - fit.lower[i])
        )
        assert served.upper[i] == pytest.approx(
            fit.values[i] + scale * (fit.upper[i] - fit.values[i])
        )
    again = refresh(settings(store, csv, days[289]), store, TICKER)  # a rerun: nothing applied
    assert again.outcome == "unchanged"
    assert calibration_state(store) == state


class DiesLogging:
    """A store that fails the one write of a dated forecast: the refresh dies after its
    calibration step moved the state, before the day's forecast is logged."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def put_bytes(self, key: str, data: bytes, **options):
        if re.match(rf"^forecasts/{TICKER}/\d{{4}}-\d{{2}}-\d{{2}}/", key):
            raise StoreUnavailableError("the store went away (test)")
        return self.inner.put_bytes(key, data, **options)


def test_a_refresh_retried_after_dying_mid_day_applies_no_outcome_twice(
    store, published_model, csv
):
    version = publish_version(Registry(store), published_model, days=280)
    days = published_model.dates
    for i in range(280, 286):
        refresh(settings(store, csv, days[i]), store, TICKER)
    died = refresh(settings(store, csv, days[286]), DiesLogging(store), TICKER)
    assert not died.ok
    moved = calibration_state(store)
    assert moved.adaptive.updates == matured_served_days(store, version) + 6  # today's outcomes in
    retried = refresh(settings(store, csv, days[286]), store, TICKER)
    assert retried.outcome == "refreshed", retried.reason
    state = calibration_state(store)
    assert state.adaptive == moved.adaptive  # the retry found them applied
    assert state.adaptive.updates == matured_served_days(store, version)


def test_a_new_champion_serves_its_own_fit_time_band_then_adapts_it(store, published_model, csv):
    registry = Registry(store)
    first = publish_version(registry, published_model, days=280)
    days = published_model.dates
    for i in range(280, 286):
        refresh(settings(store, csv, days[i]), store, TICKER)
    assert calibration_state(store).version == first
    second = publish_version(registry, published_model, days=285)
    result = refresh(settings(store, csv, days[286]), store, TICKER)
    assert result.champion == second
    state = calibration_state(store)
    assert (state.version, state.since, state.adaptive.updates) == (second, days[286], 0)
    assert state.adaptive.scales == (1.0,) * 7
    body = ForecastLog(store).load(TICKER, second, champion_entry(store, second)).body
    assert (body["calibration"], body["calibration_outcomes"]) == ("fit", 0)
    for i in (287, 288):
        refresh(settings(store, csv, days[i]), store, TICKER)
    assert calibration_state(store).adaptive.updates == 1 + 2 == matured_served_days(store, second)
