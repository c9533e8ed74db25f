"""`cryptonic train` and `cryptonic predict` in-process (cryptonic.cli.train), on fixture data."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.cli.main import main
from cryptonic.data import to_yahoo_csv
from tests.fixtures.prices import make_prices
from tests.integration.cli import TINY

pytestmark = pytest.mark.slow


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


def test_predict_without_a_model_says_how_to_get_one(local_store_uri, prices_csv, capsys):
    assert main(["predict", "--store", local_store_uri, "--data", str(prices_csv)]) == 2
    assert "cryptonic retrain --ticker BTC-USD" in capsys.readouterr().err


def test_a_save_that_fails_after_training_is_a_one_line_error(
    prices_csv, tmp_path, capsys, monkeypatch
):
    """--out was checked before training; a disk that fills up meanwhile is still no traceback."""
    from cryptonic.training.model.keras_model import Model

    def full_disk(self: Model, path: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    monkeypatch.setattr(Model, "save", full_disk)
    out = tmp_path / "m.keras"
    assert main(["train", "--data", str(prices_csv), "--out", str(out), *TINY]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f"cryptonic: error [model_error]: cannot save the trained model to {out}: "
        "[Errno 28] No space left on device"
    )
    assert "Traceback" not in err
