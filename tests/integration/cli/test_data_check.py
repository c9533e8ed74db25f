"""``cryptonic data check`` on recorded responses: Yahoo, Bitstamp and Kraken for January 2024
(tests/fixtures/yahoo, tests/fixtures/bitstamp, tests/fixtures/kraken; the exchanges' built by hand
from the bundled closes)."""

from __future__ import annotations

import json

import pytest

from cryptonic.cli.main import main
from cryptonic.config import get_settings
from tests.fixtures.exchange_replay import ExchangeReplayer
from tests.fixtures.yahoo.replay import Replayer

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.sort_index")

JANUARY = ["--ticker", "BTC-USD", "--start", "2024-01-01", "--end", "2024-01-31"]
CHAIN = ["--data", "yahoo,bitstamp,kraken"]


@pytest.fixture
def recorded(
    yahoo: Replayer, exchanges: ExchangeReplayer, monkeypatch: pytest.MonkeyPatch
) -> tuple[Replayer, ExchangeReplayer]:
    monkeypatch.setenv("EXCHANGE_MIN_INTERVAL_SECONDS", "0")
    get_settings.cache_clear()
    yahoo.load("btc_usd_2024_01.json")
    exchanges.load(
        "bitstamp/markets.json",
        "bitstamp/btc_usd_2024_01.json",
        "kraken/markets.json",
        "kraken/btc_usd_2024_01.json",
    )
    return yahoo, exchanges


def test_data_check_prints_each_source_and_its_agreement(
    recorded: tuple[Replayer, ExchangeReplayer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "check", *JANUARY, *CHAIN]) == 0

    out = capsys.readouterr().out
    print(out)  # the closing note quotes it
    lines = out.splitlines()
    assert lines[0] == "BTC-USD: 3 source(s) asked"
    assert "  yahoo: 31 closes, 2024-01-01..2024-01-31" in lines
    assert "  bitstamp: 31 closes, 2024-01-01..2024-01-31" in lines
    assert "  kraken: 31 closes, 2024-01-01..2024-01-31" in lines
    [bitstamp] = [line for line in lines if line.startswith("  bitstamp vs yahoo")]
    assert "31 common days, median 0.028%, worst 0.040% on 2024-01-21, 0 days missing" in bitstamp
    assert any(line.startswith("  kraken vs yahoo: 31 common days") for line in lines)
    assert lines[-1] == "  every source within SOURCE_TOLERANCE=0.01 of yahoo"


def test_data_check_as_json_and_a_disagreement_exits_1(
    recorded: tuple[Replayer, ExchangeReplayer],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_TOLERANCE", "0.0003")  # tighter than the recorded wobble
    get_settings.cache_clear()

    assert main(["data", "check", *JANUARY, *CHAIN, "--json"]) == 1

    out = json.loads(capsys.readouterr().out)
    assert [s["source"] for s in out["sources"]] == ["yahoo", "bitstamp", "kraken"]
    assert [a["other"] for a in out["agreements"]] == ["bitstamp", "kraken"]
    assert out["agreements"][0]["worst_day"] == "2024-01-21"
    assert out["ok"] is False


def test_data_check_of_a_stock_asks_yahoo_only(
    yahoo: Replayer, exchanges: ExchangeReplayer, capsys: pytest.CaptureFixture[str]
) -> None:
    yahoo.load("aapl_2024_01.json")
    args = ["--ticker", "AAPL", "--start", "2024-01-01", "--end", "2024-01-31", *CHAIN]

    assert main(["data", "check", *args]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("  yahoo: 21 closes")
    assert out[-1] == "  no second source answered: nothing to compare"
    assert exchanges.seen == []
