"""Conformal calibration of the interval: scores, the finite-sample factor, coverage after."""

from __future__ import annotations

import numpy as np
import pytest

from cryptonic.training.model.calibration import (
    FACTOR_RANGE,
    calibrate,
    conformal_factor,
    rescale,
    scores,
)


def test_score_is_the_spread_factor_that_just_covers_the_value():
    # median 100, lower 90, upper 120 -> below: (100 - y) / 10, above: (y - 100) / 20
    q = np.array([[[90.0, 100.0, 120.0]] * 4])
    y = np.array([[95.0, 80.0, 110.0, 100.0]])
    np.testing.assert_allclose(scores(y, q, 1)[0], [0.5, 2.0, 0.5, 0.0])


def test_zero_width_side_scores_infinity_unless_on_the_median():
    q = np.array([[[100.0, 100.0, 100.0], [100.0, 100.0, 100.0]]])
    assert scores(np.array([[101.0, 100.0]]), q, 1).tolist() == [[np.inf, 0.0]]


def test_conformal_factor_is_the_finite_sample_quantile():
    values = np.arange(1.0, 11.0)  # 10 scores 1..10
    # ceil((10 + 1) * 0.8) = 9 -> the 9th smallest
    assert conformal_factor(values, 0.8) == 9.0
    # ceil(11 * 0.95) = 11 > 10 -> the largest
    assert conformal_factor(values, 0.95) == 10.0
    with pytest.raises(ValueError, match="at least one"):
        conformal_factor([], 0.8)


def test_calibration_widens_a_too_narrow_interval_to_cover_the_level():
    rng = np.random.default_rng(0)
    n = 400
    y = rng.normal(0.0, 2.0, (n, 7))  # true spread 2, the model says 1
    z = 1.2815515655446004  # the 0.9 quantile of a standard normal
    q = np.stack([np.full((n, 7), -z), np.zeros((n, 7)), np.full((n, 7), z)], axis=-1)
    result = calibrate(y, q, 1, 0.8)
    assert result.windows == n
    assert result.coverage_before < 0.6
    assert result.coverage_after >= 0.8
    np.testing.assert_allclose(result.factors, 2.0, atol=0.35)
    scaled = rescale(q, 1, result.factors)
    inside = (y >= scaled[..., 0]) & (y <= scaled[..., -1])
    assert inside.mean() == pytest.approx(result.coverage_after)
    # every horizon day covers its level on its own windows
    assert (inside.mean(axis=0) >= 0.8).all()


def test_calibration_narrows_a_too_wide_interval_and_keeps_the_median():
    rng = np.random.default_rng(1)
    y = rng.normal(5.0, 1.0, (300, 7))
    q = np.stack([np.full((300, 7), -5.0), np.full((300, 7), 5.0), np.full((300, 7), 15.0)], -1)
    result = calibrate(y, q, 1, 0.8)
    assert result.coverage_before == 1.0
    assert all(f < 0.5 for f in result.factors)
    scaled = rescale(q, 1, result.factors)
    np.testing.assert_array_equal(scaled[..., 1], q[..., 1])
    assert (scaled[..., 0] <= scaled[..., 1]).all()
    assert (scaled[..., 1] <= scaled[..., 2]).all()


def test_factors_are_clipped_to_a_finite_range():
    y = np.full((5, 7), 3.0)
    q = np.zeros((5, 7, 3))  # zero width: every score is infinite
    result = calibrate(y, q, 1, 0.8)
    assert result.factors == [FACTOR_RANGE[1]] * 7
    assert result.to_dict()["method"] == "conformal-spread"
