"""The refresh when the model's own source refuses: Yahoo answering 429 to every request
(tests/fixtures/yahoo/btc_usd_429_always.json) and Bitstamp's recorded candles standing in only
where they agree with the closes the model was trained on."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pandas as pd
import pytest

from cryptonic.config import Settings
from cryptonic.data import YahooPolicy, load_prices
from cryptonic.data.exchange_candles import ExchangePolicy
from cryptonic.jobs.refresh.one_ticker import refresh
from cryptonic.registry.forecast_log import ForecastLog
from cryptonic.registry.registry import Registry
from cryptonic.store.contract import ArtifactStore
from tests.fixtures.exchange_replay import ExchangeReplayer
from tests.fixtures.published import PublishedModel, publish_version
from tests.fixtures.yahoo.replay import Replayer

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.sort_index")

END = dt.date(2024, 1, 31)
NOW = dt.datetime(2024, 2, 1, 0, 30, tzinfo=dt.UTC)


def no_sleep(seconds: float) -> None:
    return None


def quick_load(ticker: str, start: Any = None, end: Any = None, source: str = "auto",
               min_rows: int | None = None) -> pd.DataFrame:  # fmt: skip
    """load_prices without real waits (what the refresh calls, politeness aside)."""
    return load_prices(
        ticker,
        start,
        end,
        source,
        min_rows,
        policy=YahooPolicy(min_interval=0.0, rate_limit_retries=1, sleep=no_sleep),
        exchange_policy=ExchangePolicy(min_interval=0.0, sleep=no_sleep),
    )


@pytest.fixture
def yahoo_champion(local_store: ArtifactStore, published_model: PublishedModel) -> str:
    """A champion trained on Yahoo's closes (the bundled ones) up to 2023-12-31."""
    bundled = load_prices("BTC-USD", "2023-01-01", "2023-12-31", source="bundled")
    rows = [
        {"date": d.date(), "open": o, "high": h, "low": lo, "close": c, "volume": v}
        for d, o, h, lo, c, v in bundled.itertuples(index=False)
    ]
    model = dataclasses.replace(published_model, rows=rows, dates=[r["date"] for r in rows])
    return publish_version(Registry(local_store), model, source="yahoo")


def settings_for(store: ArtifactStore) -> Settings:
    return Settings(data_source="yahoo,bitstamp", end_date=END, store_uri=store.uri)


def test_yahoo_refusing_every_request_is_replaced_by_agreeing_exchange_candles(
    yahoo: Replayer,
    exchanges: ExchangeReplayer,
    local_store: ArtifactStore,
    yahoo_champion: str,
) -> None:
    yahoo.load("btc_usd_429_always.json")
    exchanges.load("bitstamp/markets.json", "bitstamp/btc_usd_2023_01_17.json")

    result = refresh(settings_for(local_store), local_store, "BTC-USD", now=NOW, load=quick_load)

    assert result.outcome == "refreshed", result.reason
    assert result.as_of == "2024-01-31"
    assert result.source == "bitstamp"
    assert result.fallback.startswith("bitstamp stands in (yahoo: Yahoo Finance rate-limited")
    assert "bitstamp vs yahoo: 349 common days" in result.fallback  # 2023-01-17..2023-12-31
    latest, _ = ForecastLog(local_store).latest("BTC-USD")
    assert latest is not None
    entry = latest.versions[yahoo_champion]
    logged = ForecastLog(local_store).load("BTC-USD", yahoo_champion, entry)
    assert logged.body["source"] == "bitstamp"  # the forecast log says which source fed it


def test_a_fallback_whose_closes_disagree_is_refused_naming_both_sources_and_the_day(
    yahoo: Replayer,
    exchanges: ExchangeReplayer,
    local_store: ArtifactStore,
    yahoo_champion: str,
) -> None:
    yahoo.load("btc_usd_429_always.json")
    exchanges.load("bitstamp/markets.json", "bitstamp/btc_usd_2023_01_17_spike.json")

    result = refresh(settings_for(local_store), local_store, "BTC-USD", now=NOW, load=quick_load)

    assert result.outcome == "failed"
    assert result.error is not None
    assert result.error["code"] == "sources_disagree"
    message = result.error["message"]
    assert message.startswith("bitstamp's closes disagree with yahoo's: 2.960% on 2023-12-15")
    assert "SOURCE_TOLERANCE=0.01" in message
    latest, _ = ForecastLog(local_store).latest("BTC-USD")
    assert latest is None  # nothing logged: the version's own forecast keeps serving


def test_the_models_own_source_is_asked_first(
    yahoo: Replayer, exchanges: ExchangeReplayer, local_store: ArtifactStore, yahoo_champion: str
) -> None:
    """Chain bitstamp,yahoo, model trained on Yahoo: Yahoo feeds it, no exchange is asked."""
    yahoo.load("btc_usd_429_always.json")
    settings = Settings(data_source="bitstamp,yahoo", end_date=END, store_uri=local_store.uri)
    exchanges.load("bitstamp/markets.json", "bitstamp/btc_usd_2023_01_17.json")

    result = refresh(settings, local_store, "BTC-USD", now=NOW, load=quick_load)

    assert yahoo.requests_to("/v8/finance/chart/BTC-USD")  # asked first, then the fallback
    assert result.source == "bitstamp"
    assert result.fallback


def test_a_chain_without_the_models_own_source_is_checked_too(
    exchanges: ExchangeReplayer, local_store: ArtifactStore, yahoo_champion: str
) -> None:
    """DATA_SOURCES=bitstamp (Yahoo dropped from the deployment), model trained on Yahoo:
    nothing failed, yet Bitstamp is not the model's source, so its closes are checked."""
    settings = Settings(data_source="bitstamp", end_date=END, store_uri=local_store.uri)
    exchanges.load("bitstamp/markets.json", "bitstamp/btc_usd_2023_01_17_spike.json")

    result = refresh(settings, local_store, "BTC-USD", now=NOW, load=quick_load)

    assert result.outcome == "failed", result.reason
    assert result.error is not None
    assert result.error["code"] == "sources_disagree"
    assert result.error["message"].startswith("bitstamp's closes disagree with yahoo's")


def test_an_agreeing_source_in_place_of_the_models_own_says_so(
    exchanges: ExchangeReplayer, local_store: ArtifactStore, yahoo_champion: str
) -> None:
    settings = Settings(data_source="bitstamp", end_date=END, store_uri=local_store.uri)
    exchanges.load("bitstamp/markets.json", "bitstamp/btc_usd_2023_01_17.json")

    result = refresh(settings, local_store, "BTC-USD", now=NOW, load=quick_load)

    assert result.outcome == "refreshed", result.reason
    assert result.fallback.startswith(
        "bitstamp stands in (yahoo was not asked: DATA_SOURCES=bitstamp); "
    )
    assert "bitstamp vs yahoo: 349 common days" in result.fallback
