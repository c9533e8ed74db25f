from __future__ import annotations

import numpy as np
import pytest

from cryptonic import metrics


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
