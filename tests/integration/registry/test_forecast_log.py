"""The forecast log on both stores: create-only dated forecasts, a merging pointer, pruning."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cryptonic.errors import IntegrityError, StoreUnavailableError
from cryptonic.forecast.calendar import next_dates
from cryptonic.forecast.value import Forecast
from cryptonic.registry.forecast_log import ForecastLog, log_published_forecast
from cryptonic.registry.keys import forecast_key, latest_key, parse_forecast_key
from tests.fixtures.api import WatchedStore

TICKER = "BTC-USD"
DAY = dt.date(2026, 10, 5)
V1 = "20261001T060000Z-2a6d832"  # fixed: test ids must not change between runs
V2 = "20261006T060000Z-0a334e7"


def forecast(version: str, as_of: dt.date = DAY, level: float = 100.0) -> dict:
    return Forecast(
        ticker=TICKER,
        as_of=as_of,
        last_close=level,
        dates=next_dates(as_of, 7),
        values=[level + i for i in range(7)],
        model_version=version,
        generated_at=f"{as_of + dt.timedelta(days=1)}T00:30:00Z",
    ).to_dict()


def test_record_writes_the_dated_object_and_points_at_it(store):
    log = ForecastLog(store)
    recorded = log.record(forecast(V1), "champion")
    assert recorded.created
    assert recorded.key == f"forecasts/{TICKER}/2026-10-05/{V1}.json"
    stored = json.loads(store.get_bytes(recorded.key))
    assert stored["role"] == "champion"
    assert Forecast.from_dict(stored).values == [100.0 + i for i in range(7)]
    pointer, etag = log.latest(TICKER)
    assert pointer is not None
    assert etag
    entry = pointer.versions[V1]
    assert (entry.as_of, entry.role, entry.generated_at) == (
        DAY,
        "champion",
        "2026-10-06T00:30:00Z",
    )
    assert log.load(TICKER, V1, entry).body["result"] == forecast(V1)["result"]


def test_a_rerun_the_same_day_changes_nothing(store):
    log = ForecastLog(store)
    log.record(forecast(V1), "champion")
    key = forecast_key(TICKER, DAY, V1)
    before = (store.head(key).etag, store.head(latest_key(TICKER)).etag)
    again = forecast(V1) | {"generated_at": "2026-10-06T09:00:00Z"}  # made again, later
    recorded = log.record(again, "shadow")
    assert not recorded.created
    assert recorded.role == "champion"  # the object as first written
    assert (store.head(key).etag, store.head(latest_key(TICKER)).etag) == before


def test_the_pointer_keeps_each_versions_newest_forecast(store):
    log = ForecastLog(store)
    log.record(forecast(V1, DAY), "champion")
    log.record(forecast(V2, DAY), "shadow")
    log.record(forecast(V1, DAY - dt.timedelta(days=1)), "champion")  # older: never wins
    pointer, _ = log.latest(TICKER)
    assert {v: e.as_of for v, e in pointer.versions.items()} == {V1: DAY, V2: DAY}
    log.record(forecast(V1, DAY + dt.timedelta(days=1)), "champion")
    pointer, _ = log.latest(TICKER)
    assert pointer.versions[V1].as_of == DAY + dt.timedelta(days=1)
    assert sorted(log.keys(TICKER).values()) == [
        (DAY - dt.timedelta(days=1), V1),
        (DAY, V1),
        (DAY, V2),
        (DAY + dt.timedelta(days=1), V1),
    ]


def test_concurrent_writers_of_the_pointer_both_keep_their_entry(store, monkeypatch):
    """A retrain logs its champion's forecast while a refresh moves the pointer: no entry lost."""
    log = ForecastLog(store)
    log.record(forecast(V1, DAY - dt.timedelta(days=1)), "champion")
    real_put = type(store).put_json
    rival = {"done": False}

    def put_after_rival(self, key, value, **kwargs):
        if key == latest_key(TICKER) and not rival["done"]:
            rival["done"] = True
            ForecastLog(self).record(forecast(V2), "champion")
        return real_put(self, key, value, **kwargs)

    monkeypatch.setattr(type(store), "put_json", put_after_rival)
    log.record(forecast(V1), "champion")
    monkeypatch.undo()
    pointer, _ = log.latest(TICKER)
    assert {v: e.as_of for v, e in pointer.versions.items()} == {V1: DAY, V2: DAY}


def test_a_corrupt_forecast_object_is_refused(store):
    log = ForecastLog(store)
    log.record(forecast(V1), "champion")
    key = forecast_key(TICKER, DAY, V1)
    store.delete(key)
    store.put_bytes(key, json.dumps(forecast(V1, level=1.0)).encode())
    pointer, _ = log.latest(TICKER)
    with pytest.raises(IntegrityError, match="sha256"):
        log.load(TICKER, V1, pointer.versions[V1])
    store.delete(key)
    with pytest.raises(IntegrityError, match="missing"):
        log.load(TICKER, V1, pointer.versions[V1])


def test_prune_deletes_the_old_forecasts_and_their_entries(store):
    log = ForecastLog(store)
    old = DAY - dt.timedelta(days=400)
    log.record(forecast(V1, old), "champion")
    log.record(forecast(V2, DAY), "champion")
    assert log.prune(TICKER, DAY - dt.timedelta(days=365)) == 1
    assert list(log.keys(TICKER).values()) == [(DAY, V2)]
    pointer, _ = log.latest(TICKER)
    assert set(pointer.versions) == {V2}
    assert log.prune(TICKER, DAY - dt.timedelta(days=365)) == 0


def test_keys_ignore_what_is_not_a_forecast(store):
    log = ForecastLog(store)
    log.record(forecast(V1), "champion")
    store.put_json(f"forecasts/{TICKER}/2026-10-05/notes.json", {})
    store.put_json(f"forecasts/{TICKER}/track-record.json", {})
    assert list(log.keys(TICKER).values()) == [(DAY, V1)]


@pytest.mark.parametrize(
    "key",
    [
        f"forecasts/{TICKER}/latest.json",
        f"forecasts/{TICKER}/2026-13-05/{V1}.json",
        f"forecasts/{TICKER}/2026-10-05/{V1}.txt",
        f"forecasts/{TICKER}/2026-10-05/x/{V1}.json",
        f"forecasts/ETH-USD/2026-10-05/{V1}.json",
    ],
)
def test_parse_forecast_key_refuses(key):
    assert parse_forecast_key(key, TICKER) is None


def test_the_retrain_hook_is_best_effort(local_store, caplog):
    down = WatchedStore(local_store)
    down.down = True
    assert log_published_forecast(down, forecast(V1), "champion") is False
    assert "could not log the forecast" in caplog.text
    assert log_published_forecast(local_store, forecast(V1), "champion") is True
    with pytest.raises(StoreUnavailableError):
        ForecastLog(down).record(forecast(V1), "champion")
