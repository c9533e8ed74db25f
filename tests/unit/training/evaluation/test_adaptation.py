"""The backtest's replay of the adaptive calibration: it converges to the nominal coverage after a
volatility break either way, and an origin's band never learns from a close after that origin."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cryptonic.config import DEFAULT_CALIBRATION_STEP
from cryptonic.training.evaluation.adaptation import adapt, matured_outcomes
from cryptonic.training.evaluation.backtest import walk_forward

Z80 = 1.2815515655446004
"""The standard normal's 0.9 quantile: +-Z80 sigma holds 80%."""
LEVELS = (0.1, 0.5, 0.9)


def _dates(n: int) -> list[dt.date]:
    return [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(n)]


def _walk(vol: np.ndarray, seed: int) -> np.ndarray:
    returns = np.random.default_rng(seed).normal(0.0, vol)
    return np.asarray(100.0 * np.exp(np.cumsum(returns)))


def _gaussian_band(days: int, sigma: float) -> np.ndarray:
    """(days, 7, 3) relative quantiles of an 80% band exactly right for daily volatility
    ``sigma``: what a calibration fitted in that regime would serve."""
    h = np.sqrt(np.arange(1, 8))
    band = np.stack([np.expm1(-Z80 * sigma * h), np.zeros(7), np.expm1(Z80 * sigma * h)], -1)
    return np.broadcast_to(band, (days, 7, 3)).copy()


def _coverage(bands: np.ndarray, closes: np.ndarray, first: int, since: int) -> float:
    """Share of every day's forecasts from ``since`` on whose close fell inside the band."""
    inside = []
    for i in range(since, bands.shape[0]):
        made = first + i
        for h in range(1, 8):
            if made + h < closes.size:
                move = closes[made + h] / closes[made] - 1.0
                inside.append(bands[i, h - 1, 0] <= move <= bands[i, h - 1, -1])
    return float(np.mean(inside))


@pytest.mark.parametrize(
    ("before", "after"),
    [(0.01, 0.03), (0.03, 0.01)],
    ids=["volatility triples", "volatility falls to a third"],
)
def test_the_adapted_band_converges_to_the_nominal_coverage_after_a_break(before, after):
    """A band fitted on the regime before the break: after it, the fit-time band holds far too
    few closes (or nearly all); the adapted one holds 80% again once it has had time to learn."""
    n, first, brk = 3200, 100, 400
    vol = np.where(np.arange(n) < brk, before, after)
    closes = _walk(vol, seed=11)
    days = n - first - 7
    fitted = _gaussian_band(days, before)
    adapted = adapt(fitted, closes, first, LEVELS, DEFAULT_CALIBRATION_STEP)
    settled = brk - first + 700  # learning time after the break, then measure
    fit_time = _coverage(fitted, closes, first, settled)
    assert abs(fit_time - 0.8) > 0.15
    assert _coverage(adapted.quantiles, closes, first, settled) == pytest.approx(0.8, abs=0.03)
    ratio = after / before  # the scales learned the change of volatility
    assert np.median(adapted.scales[settled:]) == pytest.approx(ratio, rel=0.35)


def test_each_days_close_settles_the_forecasts_made_one_to_seven_days_before():
    closes = np.full(30, 100.0)
    closes[20] = 150.0  # a jump no band holds
    band = _gaussian_band(30, 0.01)
    outcomes = matured_outcomes(band, closes, first_day=10, day=20)
    assert [o.horizon for o in outcomes] == list(range(7))  # made on days 19, 18, ..., 13
    assert all(o.missed for o in outcomes)
    early = matured_outcomes(band, closes, first_day=10, day=12)
    assert [o.horizon for o in early] == [0, 1]  # nothing was served before day 10
    assert not any(o.missed for o in matured_outcomes(band, closes, first_day=10, day=19))


class FixedBand:
    """A quantile forecaster whose band never depends on the closes: whatever the scales learn,
    they learn from the outcomes."""

    name = "band"
    horizon = 7
    min_history = 1
    quantiles = LEVELS

    def fit(self, closes):
        pass

    def predict_relative(self, closes, origins):
        return np.zeros((len(origins), 7))

    def predict_quantiles(self, closes, origins):
        return _gaussian_band(len(origins), 0.01)


def _scales(closes: np.ndarray) -> np.ndarray:
    report = walk_forward(closes, _dates(closes.size), [FixedBand()], weeks=8, adaptive_step=0.1)
    scales = report.bands[("band", "honest")].scales
    assert scales is not None
    return scales


def test_an_origins_band_learns_from_its_own_close_and_never_from_a_later_one():
    """Origin k's scales change when the close at origin k changes (its outcomes matured that
    day) and stay put when the next day's close changes: reading one day too far would move
    them."""
    closes = _walk(np.full(200, 0.01), seed=3)
    origins = 200 - 1 - 7 - 7 * np.arange(7, -1, -1)
    k = 4
    origin = int(origins[k])
    before = _scales(closes)

    next_day = closes.copy()
    next_day[origin + 1 :] *= 1.2  # a jump right after the origin: every band misses it
    later = _scales(next_day)
    np.testing.assert_array_equal(later[: k + 1], before[: k + 1])
    assert not np.array_equal(later[k + 1], before[k + 1])  # the jump is learned, a week later

    same_day = closes.copy()
    same_day[origin:] *= 1.2  # the jump is the origin's own close: already known there
    assert not np.array_equal(_scales(same_day)[k], before[k])
    np.testing.assert_array_equal(_scales(same_day)[:k], before[:k])


def test_persistences_band_adapts_too_and_the_scores_sit_side_by_side():
    closes = _walk(np.where(np.arange(900) < 600, 0.01, 0.03), seed=5)
    report = walk_forward(closes, _dates(900), [FixedBand()], weeks=30, adaptive_step=0.05)
    for name in ("persistence", "band"):
        row = report.row(name)
        assert row.adaptive_coverage is not None
        assert row.coverage is not None
        assert row.adaptive_step == 0.05
        assert len(row.adaptive_coverage_by_horizon or []) == 7
        assert len(row.adaptive_scales or []) == 7
    band = report.row("band")
    assert band.adaptive_coverage > band.coverage  # the storm came after the fit
    assert "a-cover" in report.table()
    assert "cover adaptive" in report.table()


def test_without_a_step_only_the_fit_time_band_is_scored():
    closes = _walk(np.full(400, 0.02), seed=6)
    report = walk_forward(closes, _dates(400), [FixedBand()], weeks=5, adaptive_step=None)
    row = report.row("band")
    assert row.coverage is not None
    assert row.adaptive_coverage is None
    assert row.adaptive_scales is None


class Recording(FixedBand):
    """Records the closes each fit and each forecast was handed."""

    def __init__(self) -> None:
        self.fits: list[int] = []
        self.forecasts: list[tuple[int, list[int]]] = []

    def fit(self, closes):
        self.fits.append(closes.size)

    def predict_quantiles(self, closes, origins):
        self.forecasts.append((closes.size, [int(o) for o in origins]))
        return super().predict_quantiles(closes, origins)


def test_refitting_fits_at_each_origin_and_forecasts_every_day_from_its_own_past():
    closes = _walk(np.full(200, 0.01), seed=8)
    recording = Recording()
    report = walk_forward(closes, _dates(200), [recording], weeks=3, refit=True)
    origins = [200 - 1 - 7 - 7 * k for k in (2, 1, 0)]
    assert recording.fits == [o + 1 for o in origins]
    days = range(origins[0], origins[-1] + 1)
    assert recording.forecasts == [(day + 1, [day]) for day in days]
    assert report.row("band").adaptive_coverage is not None
