from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cryptonic.errors import DataError
from cryptonic.training.baselines.naive import Drift
from cryptonic.training.evaluation.backtest import book_window_origins, walk_forward, weekly_origins


def _dates(n: int, start: dt.date = dt.date(2020, 1, 1)) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


class Oracle:
    """Cheats by reading the future: the backtest must not hand it any."""

    name = "oracle"
    horizon = 7
    min_history = 1

    def fit(self, closes):
        self.seen = closes.size

    def predict_relative(self, closes, origins):
        idx = np.asarray(origins)
        ahead = np.stack(
            [closes[o + 1 : o + 8] if o + 8 <= closes.size else np.full(7, np.nan) for o in idx]
        )
        return ahead / closes[idx][:, None] - 1.0


def test_weekly_origins_are_seven_days_apart_and_leave_a_horizon():
    origins = weekly_origins(100, 3)
    assert list(origins) == [78, 85, 92]
    with pytest.raises(DataError, match="cannot hold"):
        weekly_origins(20, 5)


def test_persistence_skill_is_zero_and_drift_is_scored_against_it():
    closes = 100 * np.exp(np.cumsum(np.random.default_rng(1).normal(0, 0.02, 200)))
    report = walk_forward(closes, _dates(200), [Drift()], weeks=10, ticker="X")
    assert report.row("persistence").skill == 0.0
    drift = report.row("drift")
    assert drift.skill == pytest.approx(1 - drift.mape / report.row("persistence").mape)
    data = report.to_dict()
    assert data["window"]["weeks"] == 10
    assert {r["model"] for r in data["rows"]} == {
        "persistence",
        "drift",
    }
    assert "skill" in report.table()
    assert "MASE = MAE / MAE of the one-day naive forecast over the year before" in report.table()


def test_mase_does_not_depend_on_how_far_back_the_history_starts():
    """The same last two years of closes, behind either years of tiny early moves or nothing:
    the same forecasts get the same MASE (its scale is the year before the first origin)."""
    rng = np.random.default_rng(3)
    recent = 30_000 * np.exp(np.cumsum(rng.normal(0, 0.03, 730)))
    early = np.linspace(0.1, 1.0, 2000)
    long_dates = _dates(2730, dt.date(2014, 1, 1))
    short = walk_forward(recent, long_dates[2000:], [Drift()], weeks=20)
    long = walk_forward(np.concatenate([early, recent]), long_dates, [Drift()], weeks=20)
    assert long.row("persistence").mae == pytest.approx(short.row("persistence").mae)
    assert long.row("persistence").mase == pytest.approx(short.row("persistence").mase)
    first_origin = 730 - 8 - 7 * 19
    moves = np.abs(np.diff(recent[: first_origin + 1][-366:]))
    assert short.row("persistence").mase == pytest.approx(
        short.row("persistence").mae / moves.mean()
    )


def test_fit_sees_only_data_up_to_the_first_origin():
    closes = np.linspace(100, 200, 120)
    oracle = Oracle()
    report = walk_forward(closes, _dates(120), [oracle], weeks=4)
    first_origin = 120 - 1 - 7 - 7 * 3
    assert oracle.seen == first_origin + 1
    assert report.origins[0] == _dates(120)[first_origin]


def test_refit_hands_each_fit_only_the_past():
    closes = np.linspace(100, 200, 120)
    oracle = Oracle()
    report = walk_forward(closes, _dates(120), [oracle], weeks=3, refit=True)
    # With refit the forecaster only ever holds closes up to the origin: the future is NaN.
    assert np.isnan(report.forecasts[("oracle", "honest")]).all()


def test_book_protocol_denormalizes_with_the_forecast_weeks_first_close():
    closes = np.arange(1.0, 101.0)
    report = walk_forward(closes, _dates(100), [], weeks=2, protocols=("book", "honest"))
    book = report.forecasts[("persistence", "book")]
    honest = report.forecasts[("persistence", "honest")]
    np.testing.assert_array_equal(book[:, 0], report.actuals[:, 0])  # the one-day leak
    np.testing.assert_array_equal(honest[:, 0], report.actuals[:, 0] - 1.0)
    assert report.row("persistence", "book").mape < report.row("persistence", "honest").mape


def test_not_enough_history_for_a_forecaster_is_a_data_error():
    closes = np.linspace(1, 2, 40)
    with pytest.raises(DataError, match="drift needs 31 closes"):
        walk_forward(closes, _dates(40), [Drift(window=30)], weeks=3)


def test_book_window_origins_need_the_books_dates():
    with pytest.raises(DataError, match="book window"):
        book_window_origins(_dates(50))
    dates = _dates(1500, dt.date(2016, 1, 4))
    origins = book_window_origins(dates)
    assert len(origins) == 21
    assert dates[origins[0]] == dt.date(2019, 8, 4)
    assert dates[origins[-1] + 7] == dt.date(2019, 12, 29)


class Bands:
    """A hand-made quantile forecaster: a fixed band of +-``half`` around the last close."""

    horizon = 7
    min_history = 1
    quantiles = (0.1, 0.5, 0.9)

    def __init__(self, name: str, half: float) -> None:
        self.name, self.half = name, half

    def fit(self, closes):
        pass

    def predict_relative(self, closes, origins):
        return np.zeros((len(origins), 7))

    def predict_quantiles(self, closes, origins):
        band = np.array([-self.half, 0.0, self.half])
        return np.broadcast_to(band, (len(origins), 7, 3)).copy()


def _zigzag(n: int) -> np.ndarray:
    """Closes alternating 100 and 104: every realized close is the origin's or 4% away."""
    return np.where(np.arange(n) % 2 == 0, 100.0, 104.0)


def test_interval_scores_on_a_hand_made_series():
    closes = _zigzag(120)
    report = walk_forward(
        closes, _dates(120), [Bands("wide", 0.05), Bands("narrow", 0.01)], weeks=4
    )
    wide, narrow = report.row("wide"), report.row("narrow")
    assert wide.coverage == 1.0  # every close within 5%
    assert wide.interval_level == pytest.approx(0.8)
    assert wide.width == pytest.approx(10.0)
    # +-1% holds only the closes equal to the origin's: 4 of 7 or 3 of 7 depending on parity
    origins = 120 - 1 - 7 - 7 * np.arange(3, -1, -1)
    actual = closes[origins[:, None] + np.arange(1, 8)]
    expected = np.mean(actual == closes[origins][:, None])
    assert narrow.coverage == pytest.approx(expected)
    assert narrow.coverage_by_horizon == pytest.approx(
        list(np.mean(actual == closes[origins][:, None], axis=0))
    )
    assert len(narrow.pinball_by_horizon) == 7
    assert narrow.width == pytest.approx(2.0)


def test_pinball_skill_is_measured_against_persistences_empirical_quantiles():
    closes = 100 * np.exp(np.cumsum(np.random.default_rng(2).normal(0, 0.02, 600)))
    report = walk_forward(closes, _dates(600), [Bands("band", 0.03), Drift()], weeks=10)
    persistence, band = report.row("persistence"), report.row("band")
    assert persistence.pinball_skill == 0.0
    assert persistence.coverage is not None
    assert persistence.interval_level == pytest.approx(0.8)
    assert band.pinball_skill == pytest.approx(1 - band.pinball / persistence.pinball)
    drift = report.row("drift").to_dict()
    for key in ("coverage", "interval_level", "width", "pinball", "pinball_skill"):
        assert drift[key] is None  # a point forecaster has no interval
    assert {"coverage", "interval_level", "pinball", "pinball_skill"} <= set(band.to_dict())
    assert "p-skill" in report.table()


def test_interval_scores_survive_rescoring_a_later_part_of_the_window():
    closes = 100 * np.exp(np.cumsum(np.random.default_rng(3).normal(0, 0.02, 600)))
    report = walk_forward(closes, _dates(600), [Bands("band", 0.03)], weeks=10)
    later = report.since(6)
    assert later.weeks == 4
    direct = walk_forward(closes, _dates(600), [Bands("band", 0.03)], weeks=4)
    assert later.row("band").coverage == pytest.approx(direct.row("band").coverage)
    assert later.row("band").pinball_skill == pytest.approx(direct.row("band").pinball_skill)
