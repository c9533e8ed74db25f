"""`cryptonic refresh` in-process (cryptonic.cli.refresh): the daily job and the live records."""

from __future__ import annotations

import json

import pytest

from cryptonic.cli.main import main
from cryptonic.data import to_yahoo_csv
from tests.fixtures.prices import make_prices
from tests.integration.cli import TINY

pytestmark = pytest.mark.slow


def test_refresh_then_models_list_shows_the_live_record(
    prices_csv, local_store_uri, capsys, monkeypatch
):
    """`cryptonic retrain` to day D, `cryptonic refresh` on the next days: the table's live
    columns fill in, and a rerun says it is up to date."""
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    monkeypatch.setenv("BACKTEST_WEEKS", "2")
    dates = [ts.date() for ts in make_prices(300)["date"]]
    store = ["--store", local_store_uri, "--data", str(prices_csv)]
    assert main(["retrain", *store, *TINY, "--end", str(dates[-8])]) == 0
    for day in dates[-7:]:
        assert main(["refresh", *store, "--end", str(day)]) == 0
    out = capsys.readouterr().out
    assert "BTC-USD: refreshed" in out
    assert "live record: 7 forecasts" in out
    assert main(["refresh", *store, "--end", str(dates[-1]), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["results"][0]["outcome"] == "unchanged"
    assert main(["models", "list", "--store", local_store_uri]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[-4:] == ["LIVE_N", "LIVE_MAPE", "LIVE_PERSISTENCE", "LIVE_SKILL"]
    assert row.split()[0] == "*"
    assert row.split()[6] == "7"


def test_refresh_exit_codes(local_store_uri, published_model, tmp_path, capsys):
    """No model yet is no failure (0); prices it cannot use fail the ticker (1), saying why."""
    from cryptonic.registry.registry import open_registry
    from tests.fixtures.published import publish_version

    store = ["--store", local_store_uri]
    assert main(["refresh", *store, "--data", "bundled"]) == 0
    assert "BTC-USD: no_model" in capsys.readouterr().out
    publish_version(open_registry(local_store_uri), published_model)
    frame = make_prices(300)
    frame.loc[299, "close"] = 0.0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_yahoo_csv(frame))
    assert main(["refresh", *store, "--data", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "BTC-USD: failed" in out
    assert "error [bad_data]" in out
    assert "non-positive close on 2020-10-31" in out
