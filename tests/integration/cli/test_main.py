"""The command line, in-process (cryptonic.cli.main), on fixture data."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cryptonic.cli.main import main
from cryptonic.data import to_yahoo_csv
from tests.fixtures.prices import make_prices
from tests.fixtures.published import manifest_draft

pytestmark = pytest.mark.slow
TINY = ["--epochs", "2"]


def test_backtest_json_shape(prices_csv, capsys, monkeypatch):
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    code = main(["backtest", "--data", str(prices_csv), "--weeks", "3", "--json", *TINY])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["window"]["weeks"] == 3
    assert report["ticker"] == "BTC-USD"
    models = {(r["model"], r["protocol"]) for r in report["rows"]}
    assert models == {
        ("persistence", "honest"),
        ("drift", "honest"),
        ("garch", "honest"),
        ("default", "honest"),
    }
    rows = {r["model"]: r for r in report["rows"]}
    for row in report["rows"]:
        assert set(row) >= {"model", "protocol", "mape", "rmse", "skill"}
        assert set(row) >= {"coverage", "interval_level", "pinball", "pinball_skill"}
    for name in ("persistence", "garch", "default"):
        assert 0.0 <= rows[name]["coverage"] <= 1.0
        assert rows[name]["interval_level"] == pytest.approx(0.8)
        assert rows[name]["pinball"] > 0
        assert len(rows[name]["coverage_by_horizon"]) == 7
    assert rows["persistence"]["pinball_skill"] == 0.0
    assert rows["drift"]["coverage"] is None
    assert rows["drift"]["pinball_skill"] is None


def test_backtest_table_and_plot(prices_csv, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    plot = tmp_path / "bt.png"
    assert (
        main(["backtest", "--data", str(prices_csv), "--weeks", "2", "--plot", str(plot), *TINY])
        == 0
    )
    out = capsys.readouterr().out
    assert "persistence" in out
    assert "skill" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_data_is_a_one_line_error_with_exit_code_2(tmp_path, capsys):
    frame = make_prices(100)
    frame.loc[10, "high"] = frame.loc[10, "low"] / 2
    path = tmp_path / "bad.csv"
    path.write_bytes(to_yahoo_csv(frame))
    assert main(["backtest", "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cryptonic: error [bad_data]:")
    assert "Traceback" not in err


def test_retrain_then_models_list_then_predict(prices_csv, local_store_uri, capsys, monkeypatch):
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    monkeypatch.setenv("BACKTEST_WEEKS", "2")
    args = ["--store", local_store_uri, "--data", str(prices_csv)]
    assert main(["retrain", *args, *TINY]) == 0
    assert "promoted" in capsys.readouterr().out
    assert main(["models", "list", "--store", local_store_uri]) == 0
    listing = capsys.readouterr().out
    assert "*" in listing
    assert "new" in listing
    assert main(["predict", *args, "--json"]) == 0
    forecast = json.loads(capsys.readouterr().out)
    assert len(forecast["result"]) == 7
    assert forecast["model_version"]
    assert forecast["interval_level"] == pytest.approx(0.8)
    for item in forecast["result"]:
        assert item["lower"] <= item["prediction"] <= item["upper"]
    assert main(["predict", *args]) == 0
    assert "80% interval" in capsys.readouterr().out


def test_predict_without_a_model_says_how_to_get_one(local_store_uri, prices_csv, capsys):
    assert main(["predict", "--store", local_store_uri, "--data", str(prices_csv)]) == 2
    assert "cryptonic retrain --ticker BTC-USD" in capsys.readouterr().err


def test_invalid_setting_is_reported(capsys):
    assert main(["backtest", "--data", "bundled", "--start", "yesterday"]) == 2
    assert "start_date" in capsys.readouterr().err


def test_ensure_models_trains_only_when_there_is_no_model(make_settings, local_store_uri, capsys):
    from cryptonic.jobs.retrain.first_models import ensure_models
    from cryptonic.registry.registry import Registry
    from cryptonic.store.uri import open_store

    settings = make_settings(local_store_uri)
    ensure_models(settings)
    assert "no model for BTC-USD" in capsys.readouterr().out
    registry = Registry(open_store(local_store_uri))
    first = registry.champion("BTC-USD")
    assert first is not None
    ensure_models(settings)  # a second `make run` serves what exists
    assert capsys.readouterr().out == ""
    assert registry.champion("BTC-USD").version == first.version


def test_models_commands_against_an_s3_endpoint(s3_store_uri, capsys):
    """`cryptonic models list|promote|rollback` over HTTP to moto's S3 server."""
    from cryptonic.registry.registry import new_version_id, open_registry

    registry = open_registry(s3_store_uri)
    versions = []
    for minute in (1, 2):
        version = new_version_id(dt.datetime(2026, 11, 1, 6, minute))
        registry.publish("BTC-USD", version, {"model.tflite": b"x"}, manifest_draft())
        versions.append(version)
    assert main(["models", "promote", versions[0], "--store", s3_store_uri, "--yes"]) == 0
    assert main(["models", "promote", versions[1], "--store", s3_store_uri, "--yes"]) == 0
    assert main(["models", "list", "--store", s3_store_uri]) == 0
    listing = capsys.readouterr().out
    assert f"*  {versions[1]}" in listing
    assert versions[0] in listing
    assert main(["models", "rollback", "--store", s3_store_uri]) == 0
    assert registry.champion("BTC-USD").version == versions[0]
    assert main(["models", "rollback", "--store", s3_store_uri]) == 2
    assert "no previous champion" in capsys.readouterr().err


def test_train_dates_a_stock_forecast_on_trading_days(tmp_path, capsys, monkeypatch):
    """A weekday-only series gets weekday forecast dates (not Saturday and Sunday)."""
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    frame = make_prices(400)
    frame = frame[frame["date"].dt.day_of_week < 5].reset_index(drop=True)
    path = tmp_path / "stock.csv"
    path.write_bytes(to_yahoo_csv(frame))
    out = tmp_path / "m.keras"
    assert main(["train", "--ticker", "AAPL", "--data", str(path), "--out", str(out), *TINY]) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    days = [dt.date.fromisoformat(parts[0]) for parts in lines]
    assert len(days) == 7
    assert all(day.weekday() < 5 for day in days)


# ---------------------------------------------------------------------------------------------
# The daily refresh, the live records and the replay


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


def test_promote_asks_and_refuses_without_a_terminal(s3_store_uri, capsys, monkeypatch):
    """Interactive by default; no terminal and no --yes: refused, the champion unchanged."""
    import io

    from cryptonic.registry.registry import new_version_id, open_registry

    registry = open_registry(s3_store_uri)
    versions = []
    for minute in (1, 2):
        version = new_version_id(dt.datetime(2026, 11, 1, 6, minute))
        registry.publish("BTC-USD", version, {"model.tflite": b"x"}, manifest_draft())
        versions.append(version)
    registry.promote("BTC-USD", versions[0])
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # not a terminal
    assert main(["models", "promote", versions[1], "--store", s3_store_uri]) == 2
    captured = capsys.readouterr()
    assert f"champion  {versions[0]}: no live record yet" in captured.out
    assert f"candidate {versions[1]}: no live record yet" in captured.out
    assert "stdin is not a terminal: pass --yes" in captured.err
    assert registry.champion("BTC-USD").version == versions[0]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(["models", "promote", versions[1], "--store", s3_store_uri]) == 1
    assert "not promoted: the champion is unchanged" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert main(["models", "promote", versions[1], "--store", s3_store_uri]) == 0
    assert f"promote {versions[1]} to champion of BTC-USD? [y/N]" in capsys.readouterr().out
    assert registry.champion("BTC-USD").version == versions[1]


def test_replay_retrains_weekly_refreshes_daily_and_prints_the_record(
    prices_csv, local_store_uri, capsys, monkeypatch
):
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    monkeypatch.setenv("BACKTEST_WEEKS", "2")
    args = ["--store", local_store_uri, "--data", str(prices_csv), *TINY]
    assert main(["replay", "--weeks", "1", *args]) == 0
    out = capsys.readouterr().out
    dates = [ts.date() for ts in make_prices(300)["date"]]
    assert f"replayed {dates[-8]} .. {dates[-1]}: 2 weekly retrains, 8 daily refreshes" in out
    assert "| **all** | 8 | 28 |" in out  # 8 served forecasts, 7+6+...+1+0 days scored
    # the quantile model's interval, scored on the same 28 days: a share in whole percent
    [total] = [line for line in out.splitlines() if line.startswith("| **all** |")]
    assert total.rstrip(" |").rsplit("| ", 1)[1].endswith("%")
    assert main(["replay", "--weeks", "1", *args]) == 2  # never over an existing history
    assert "already has versions" in capsys.readouterr().err


def test_python_dash_m_cryptonic_is_the_cli_with_its_exit_code():
    import subprocess
    import sys

    ok = subprocess.run(
        [sys.executable, "-m", "cryptonic", "--help"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert "refresh" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "cryptonic", "models", "list", "--ticker", "B@D"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "invalid ticker 'B@D'" in bad.stderr
