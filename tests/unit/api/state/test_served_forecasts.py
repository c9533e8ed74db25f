"""Which forecast a champion serves: the log's when it is newer than the version's own, read
only when needed, and the version's own (or what is served already) when the log fails."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest

from cryptonic.api.state.served_forecasts import (
    LoggedRead,
    LogPointerRead,
    ServedForecast,
    read_logged,
    read_pointer,
    served_forecast,
)
from cryptonic.api.state.versions import LoadedVersion
from cryptonic.errors import StoreUnavailableError
from cryptonic.forecast.value import Forecast
from cryptonic.registry.forecast_log import ForecastLog
from cryptonic.registry.registry import Registry, new_version_id
from cryptonic.store.local import LocalStore
from tests.fixtures.api import WatchedStore
from tests.fixtures.published import manifest_draft

TICKER = "BTC-USD"
PUBLISHED = dt.date(2026, 11, 1)


def forecast(version: str, as_of: dt.date) -> dict[str, Any]:
    days = [as_of + dt.timedelta(days=i) for i in range(1, 8)]
    made = Forecast(TICKER, as_of, 100.0, days, [101.0] * 7, model_version=version)
    return made.to_dict()


@pytest.fixture
def loaded(local_store: LocalStore) -> LoadedVersion:
    version = new_version_id(dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    Registry(local_store).publish(TICKER, version, {"notes.txt": b"x"}, manifest_draft())
    manifest = Registry(local_store).manifest(TICKER, version)
    return LoadedVersion(TICKER, version, manifest, forecast(version, PUBLISHED), None, None)


def logged_on(store: LocalStore, loaded: LoadedVersion, as_of: dt.date) -> None:
    ForecastLog(store).record(forecast(loaded.version, as_of), "champion")


def test_a_newer_logged_forecast_is_read_and_served(local_store, loaded):
    logged_on(local_store, loaded, PUBLISHED + dt.timedelta(days=3))
    log = ForecastLog(local_store)
    pointer = read_pointer(log, TICKER)
    logged = read_logged(log, TICKER, loaded.version, pointer)
    served = served_forecast(loaded, pointer, logged, None)
    assert served.logged
    assert served.body["as_of"] == "2026-11-04"
    assert pointer.etag is not None
    assert served.latest_etag == pointer.etag


def test_nothing_is_read_when_the_log_names_nothing_newer_and_that_is_known(local_store, loaded):
    logged_on(local_store, loaded, PUBLISHED)  # the retrain logs the published forecast
    store = WatchedStore(local_store)
    log = ForecastLog(store)
    pointer = read_pointer(log, TICKER)
    store.clear()
    not_newer = read_logged(log, TICKER, loaded.version, pointer, newer_than="2026-11-01")
    assert not_newer == LoggedRead()
    assert read_logged(log, TICKER, "20200101T000000Z-abcdef0", pointer) == LoggedRead()
    assert store.calls == []
    unknown = read_logged(log, TICKER, loaded.version, pointer)  # not known: read it
    assert unknown.body is not None
    assert store.reads == ["get_bytes"]
    served = served_forecast(loaded, pointer, unknown, None)
    assert (served.logged, served.body) == (False, loaded.forecast), "not newer: its own"


def test_an_unreadable_log_keeps_what_is_served_or_the_versions_own(loaded, caplog):
    caplog.set_level(logging.WARNING)
    down = LogPointerRead(failure=StoreUnavailableError("s3: no answer in time"))
    serving_now = ServedForecast({"as_of": "2026-11-03"}, logged=True, latest_etag='"e"')
    assert served_forecast(loaded, down, LoggedRead(), serving_now) is serving_now
    own = served_forecast(loaded, down, LoggedRead(), None)
    assert (own.body, own.logged, own.latest_etag) == (loaded.forecast, False, None)
    assert "forecast log of BTC-USD unreadable (s3: no answer in time)" in caplog.text


def test_a_newer_logged_forecast_that_fails_its_check_is_not_served(local_store, loaded):
    logged_on(local_store, loaded, PUBLISHED + dt.timedelta(days=2))
    log = ForecastLog(local_store)
    pointer = read_pointer(log, TICKER)
    assert pointer.pointer is not None
    entry = pointer.pointer.versions[loaded.version]
    tampered = pointer.pointer.model_copy(
        update={"versions": {loaded.version: entry.model_copy(update={"sha256": "0" * 64})}}
    )
    bad = LogPointerRead(tampered, pointer.etag)
    logged = read_logged(log, TICKER, loaded.version, bad)
    assert logged.body is None
    assert "sha256" in str(logged.failure)
    served = served_forecast(loaded, bad, logged, None)
    assert (served.body, served.logged) == (loaded.forecast, False)
