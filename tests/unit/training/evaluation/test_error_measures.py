from __future__ import annotations

import numpy as np
import pytest

from cryptonic.training.evaluation import error_measures as metrics


def test_mape_is_mean_absolute_percentage_error():
    # |100-110|/100 = 10%, |200-150|/200 = 25%  ->  17.5%
    assert metrics.mape([100, 200], [110, 150]) == pytest.approx(17.5)


def test_mape_divides_by_actual_not_forecast():
    assert metrics.mape([100], [50]) == pytest.approx(50.0)
    assert metrics.mape([50], [100]) == pytest.approx(100.0)


def test_rmse_and_mae():
    assert metrics.rmse([0, 0], [3, 4]) == pytest.approx(np.sqrt(12.5))
    assert metrics.mae([0, 0], [3, -4]) == pytest.approx(3.5)


def test_mape_by_horizon_is_per_column():
    actual = np.array([[100.0, 100.0], [100.0, 100.0]])
    forecast = np.array([[101.0, 90.0], [99.0, 110.0]])
    assert metrics.mape_by_horizon(actual, forecast) == pytest.approx([1.0, 10.0])


def test_mase_scales_by_in_sample_naive_error():
    insample = [10.0, 12.0, 11.0, 13.0]  # one-step naive MAE = (2 + 1 + 2) / 3
    assert metrics.mase([20.0], [25.0], insample) == pytest.approx(5.0 / (5.0 / 3.0))


def test_skill_against_persistence():
    assert metrics.skill(4.0, 5.0) == pytest.approx(0.2)
    assert metrics.skill(5.0, 5.0) == 0.0
    assert metrics.skill(6.0, 5.0) < 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.mape([0.0], [1.0]), "actual value is zero"),
        (lambda: metrics.mape([1.0, 2.0], [1.0]), "differ in shape"),
        (lambda: metrics.mape([], []), "no forecast points"),
        (lambda: metrics.naive_scale([1.0, 1.0]), "constant"),
        (lambda: metrics.skill(1.0, 0.0), "persistence is perfect"),
    ],
)
def test_undefined_metrics_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- intervals: hand-made series -------------------------------------------------------------
def test_coverage_counts_values_inside_the_interval_bounds_included():
    actual = np.array([[100.0, 105.0, 110.0, 95.0]])
    lower = np.array([[95.0, 95.0, 95.0, 96.0]])
    upper = np.array([[105.0, 105.0, 108.0, 104.0]])
    # inside, on the upper bound, above, below -> 2 of 4
    assert metrics.coverage(actual, lower, upper) == pytest.approx(0.5)
    assert metrics.coverage_by_horizon(actual, lower, upper) == [1.0, 1.0, 0.0, 0.0]


def test_coverage_by_horizon_is_per_column():
    actual = np.array([[1.0, 5.0], [2.0, 5.0], [9.0, 5.0]])
    lower = np.zeros((3, 2))
    upper = np.full((3, 2), 3.0)
    assert metrics.coverage(actual, lower, upper) == pytest.approx(2 / 6)
    assert metrics.coverage_by_horizon(actual, lower, upper) == pytest.approx([2 / 3, 0.0])


def test_width_is_in_percent_of_each_origins_close():
    lower = np.array([[90.0, 80.0], [1900.0, 1800.0]])
    upper = np.array([[110.0, 120.0], [2100.0, 2200.0]])
    base = np.array([100.0, 2000.0])
    # widths 20%, 40%, 10%, 20% -> 22.5%
    assert metrics.width(lower, upper, base) == pytest.approx(22.5)


def test_pinball_matches_a_hand_computation():
    # one origin (close 100), one day, actual 104; quantiles 0.1 / 0.5 / 0.9 at 95 / 100 / 102
    # errors +9, +4, +2 (all above): 0.1*9 = 0.9, 0.5*4 = 2.0, 0.9*2 = 1.8 -> mean 1.5667
    actual = np.array([[104.0]])
    quantiles = np.array([[[95.0, 100.0, 102.0]]])
    expected = (0.9 + 2.0 + 1.8) / 3 / 100 * 100
    assert metrics.pinball(actual, quantiles, [0.1, 0.5, 0.9], [100.0]) == pytest.approx(expected)
    # below every quantile: actual 90, errors -5, -10, -12 -> 0.9*5, 0.5*10, 0.1*12
    below = metrics.pinball([[90.0]], quantiles, [0.1, 0.5, 0.9], [100.0])
    assert below == pytest.approx((4.5 + 5.0 + 1.2) / 3)


def test_pinball_of_the_median_alone_is_half_the_absolute_percentage_error():
    actual = np.array([[110.0, 90.0]])
    forecast = np.full((1, 2, 1), 100.0)
    assert metrics.pinball(actual, forecast, [0.5], [100.0]) == pytest.approx(5.0)
    assert metrics.pinball_by_horizon(actual, forecast, [0.5], [100.0]) == pytest.approx([5, 5])


def test_interval_measures_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match="do not match"):
        metrics.pinball(np.ones((2, 7)), np.ones((2, 7)), [0.5], np.ones(2))
    with pytest.raises(ValueError, match="levels"):
        metrics.pinball(np.ones((2, 7)), np.ones((2, 7, 3)), [0.1, 0.9], np.ones(2))
