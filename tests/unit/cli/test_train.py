"""How `cryptonic train` and `cryptonic predict` print a forecast."""

from __future__ import annotations

from cryptonic.cli.train import print_forecast


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
