"""functions/refresh/app.handler driven by the shipped schedule event, against moto S3 and local:
metrics for the alarms, a failing ticker failing the invocation after the others ran."""

from __future__ import annotations

import json

import pytest

from cryptonic.config import get_settings
from cryptonic.data import to_yahoo_csv
from cryptonic.errors import ConfigError, RefreshFailedError
from cryptonic.registry.forecast_log import ForecastLog
from cryptonic.registry.registry import Registry
from cryptonic.store.uri import open_store
from tests.fixtures.paths import EVENTS
from tests.fixtures.prices import make_prices
from tests.fixtures.published import TICKER, publish_version

pytestmark = pytest.mark.slow


@pytest.fixture
def published(store_uri, published_model):
    return publish_version(Registry(open_store(store_uri)), published_model, days=280)


@pytest.fixture
def handler(monkeypatch, tmp_path, store_uri, lambda_context):
    """The real handler, configured through the environment the way Lambda configures it; each
    call is one invocation, with its own Lambda context."""
    csv = tmp_path / "prices.csv"
    csv.write_bytes(to_yahoo_csv(make_prices(290)))
    env = {"STORE_URI": store_uri, "DATA_SOURCE": str(csv), "TICKERS": TICKER}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("END_DATE", raising=False)
    get_settings.cache_clear()
    from functions.refresh.app import handler

    yield lambda event: handler(event, lambda_context("cryptonic-refresh"))
    get_settings.cache_clear()


def _event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def _emf_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith('{"_aws"')]


def test_the_schedule_refreshes_every_configured_ticker(handler, published, store_uri, capsys):
    summary = handler(_event("refresh-scheduled.json"))
    assert summary["ok"] is True
    [result] = summary["results"]
    assert (result["ticker"], result["outcome"], result["champion"]) == (
        TICKER,
        "refreshed",
        published,
    )
    # The CSV's newest close is from 2020: today its forecast is old data, whenever computed,
    # and the stale alarm's metric counts it (as it would a blocked price source in the cloud).
    assert result["served"]["as_of"] == result["as_of"] < "2021"
    assert (result["served"]["stale"], result["served"]["age_hours"] > 24 * 365) == (True, True)
    pointer, _ = ForecastLog(open_store(store_uri)).latest(TICKER)
    assert pointer.versions[published].as_of.isoformat() == result["as_of"]
    json.dumps(summary)  # the Lambda runtime must be able to serialize it
    [metrics] = _emf_lines(capsys.readouterr().out)
    assert (metrics["TickersRefreshed"], metrics["TickersFailed"], metrics["StaleForecasts"]) == (
        [1],
        [0],
        [1],
    )
    assert metrics["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["FunctionName"]]

    again = handler(_event("refresh-scheduled.json"))
    assert again["results"][0]["outcome"] == "unchanged"


def test_bad_payload_fails_fast(handler, published, store_uri, capsys):
    with pytest.raises(ConfigError, match="force"):
        handler({"ticker": TICKER, "force": True})
    assert ForecastLog(open_store(store_uri)).latest(TICKER) == (None, None)
    [metrics] = _emf_lines(capsys.readouterr().out)
    assert metrics["RefreshRequestsRefused"] == [1]


def test_a_failing_ticker_raises_after_the_others_finished(
    handler, published, monkeypatch, store_uri, capsys
):
    monkeypatch.setenv("TICKERS", f"ETH-USD,{TICKER}")
    monkeypatch.setenv("DATA_SOURCE", "bundled")  # has BTC-USD only; ETH-USD has a model here
    get_settings.cache_clear()
    from tests.fixtures.published import build_published_model

    registry = Registry(open_store(store_uri))
    publish_version(registry, build_published_model(), ticker="ETH-USD")
    # BTC-USD's champion trained on the bundled closes: they may feed it unchecked
    btc = publish_version(registry, build_published_model(), days=280, source="bundled")
    with pytest.raises(RefreshFailedError) as caught:
        handler(_event("refresh-scheduled.json"))
    assert str(caught.value).startswith("1 of 2 tickers failed: ETH-USD: [bad_data]")
    pointer, _ = ForecastLog(open_store(store_uri)).latest(TICKER)
    assert pointer is not None
    assert btc in pointer.versions
    assert btc != published
    [metrics] = _emf_lines(capsys.readouterr().out)
    assert (metrics["TickersFailed"], metrics["TickersRefreshed"]) == ([1], [1])
    assert metrics["failed_tickers"] == ["ETH-USD"]


def test_a_stale_served_forecast_is_counted_for_the_alarm(published, store_uri):
    """StaleForecasts counts the served forecast's age after the run, whatever the outcome:
    here Yahoo fails and the only forecast is the one published a month ago."""
    from cryptonic.config import Settings
    from cryptonic.data import DataUnavailableError
    from cryptonic.jobs.refresh.one_ticker import refresh
    from cryptonic.jobs.refresh.outcomes import STALE_METRIC, stale_forecasts

    def yahoo_down(*args, **kwargs):
        raise DataUnavailableError("no route to Yahoo (test)")

    settings = Settings(store_uri=store_uri, data_source="yahoo", tickers=[TICKER])
    result = refresh(settings, open_store(store_uri), TICKER, load=yahoo_down)
    assert result.error["code"] == "stale_data"
    assert result.served["stale"] is True
    assert stale_forecasts([result.to_dict()]) == ({STALE_METRIC: 1}, {"stale_tickers": [TICKER]})
    fresh = [{**result.to_dict(), "served": {**result.served, "stale": False}}]
    assert stale_forecasts(fresh) == ({STALE_METRIC: 0}, {"stale_tickers": []})
