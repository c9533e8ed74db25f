"""How `cryptonic train` and `cryptonic predict` print a forecast, and where `train` may save."""

from __future__ import annotations

from pathlib import Path

import pytest

from cryptonic.cli.main import main
from cryptonic.cli.train import model_file, print_forecast
from cryptonic.errors import ConfigError


def test_a_forecast_is_one_day_a_line_with_its_interval(capsys) -> None:
    print_forecast(
        {
            "ticker": "BTC-USD",
            "as_of": "2026-10-05",
            "last_close": 61234.5,
            "model_version": "20261005T060000Z-0000001",
            "interval_level": 0.8,
            "result": [
                {"date": "2026-10-06", "prediction": 61500.0, "lower": 60000.0, "upper": 63000.0},
                {"date": "2026-10-07", "prediction": 61800.25},
            ],
        }
    )
    assert capsys.readouterr().out.splitlines() == [
        "BTC-USD forecast from the close of 2026-10-05 (last close 61,234.50), "
        "model 20261005T060000Z-0000001",
        "each day: the median, then the 80% interval [lower, upper]",
        "  2026-10-06       61,500.00  [     60,000.00,      63,000.00]",
        "  2026-10-07       61,800.25",
    ]


def test_a_keras_forecast_has_no_version_and_no_interval(capsys) -> None:
    print_forecast(
        {
            "ticker": "AAPL",
            "as_of": "2026-10-02",
            "last_close": 230.0,
            "result": [{"date": "2026-10-05", "prediction": 231.0}],
        }
    )
    assert capsys.readouterr().out.splitlines() == [
        "AAPL forecast from the close of 2026-10-02 (last close 230.00)",
        "  2026-10-05          231.00",
    ]


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("model.h5", "--out must name a .keras file, got '{tmp}/model.h5'"),
        ("folder.keras", "--out {tmp}/folder.keras is a folder: name a .keras file in it"),
        ("a-file/m.keras", "--out {tmp}/a-file/m.keras: {tmp}/a-file is not a folder"),
    ],
)
def test_an_out_train_could_not_save_to_is_refused(tmp_path: Path, out: str, message: str):
    (tmp_path / "folder.keras").mkdir()
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ConfigError) as refused:
        model_file(f"{tmp_path}/{out}")
    assert str(refused.value) == message.format(tmp=tmp_path)


def test_an_out_in_a_folder_that_takes_no_file_is_refused(tmp_path: Path, monkeypatch) -> None:
    """Tried, not read off permission bits: root passes those, and /proc takes no file anyway."""

    def no_space(**kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tempfile.NamedTemporaryFile", no_space)
    with pytest.raises(ConfigError, match=f"cannot write in {tmp_path}: No space left on device"):
        model_file(str(tmp_path / "m.keras"))


def test_an_out_in_folders_still_to_make_is_checked_where_they_would_be(tmp_path: Path) -> None:
    out = tmp_path / "new" / "sub" / "m.keras"
    assert model_file(str(out)) == out
    assert list(tmp_path.iterdir()) == []  # no folder made, no probe left behind


def test_train_refuses_a_bad_out_before_it_reads_a_price(tmp_path: Path, monkeypatch, capsys):
    def no_prices(*args: object, **kwargs: object) -> None:
        raise AssertionError("read prices (and trained) before checking --out")

    monkeypatch.setattr("cryptonic.cli.main.configure_logging", lambda **kw: None)
    monkeypatch.setattr("cryptonic.cli.train.prices_from", no_prices)
    assert main(["train", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"cryptonic: error [bad_config]: --out must name a .keras file, got '{tmp_path}'\n"
    )
