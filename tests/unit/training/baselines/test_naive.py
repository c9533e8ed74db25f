from __future__ import annotations

import numpy as np
import pytest

from cryptonic.training.baselines.naive import Drift, Persistence


def test_persistence_predicts_no_change():
    closes = np.array([1.0, 2.0, 3.0, 4.0])
    out = Persistence(horizon=7).predict_relative(closes, [2, 3])
    assert out.shape == (2, 7)
    assert not out.any()


def test_drift_extends_the_average_log_return():
    closes = 100.0 * 1.01 ** np.arange(30)  # +1% a day, exactly
    out = Drift(horizon=3).predict_relative(closes, [29])[0]
    np.testing.assert_allclose(out, [0.01, 1.01**2 - 1, 1.01**3 - 1], rtol=1e-9)


def test_drift_uses_only_the_past():
    closes = 100.0 * 1.01 ** np.arange(30)
    changed = closes.copy()
    changed[21:] = 1.0
    np.testing.assert_array_equal(
        Drift().predict_relative(closes, [20]), Drift().predict_relative(changed, [20])
    )


def test_drift_window_needs_history():
    with pytest.raises(ValueError, match="two closes"):
        Drift(window=10).predict_relative(np.ones(20), [5])


def test_persistence_quantiles_are_the_past_moves_around_the_last_close():
    # closes alternate 100, 110: every 1-day move is +10% or -9.09%, every 2-day move 0
    closes = np.array([100.0, 110.0] * 20)
    q = Persistence(horizon=2, quantiles=(0.1, 0.5, 0.9)).predict_quantiles(closes, [39])
    assert q.shape == (1, 2, 3)
    up, down = 0.1, 100 / 110 - 1
    moves = np.array([up, down] * 19 + [up])[-39:]
    expected = np.quantile(moves, [0.1, 0.5, 0.9]) - np.median(moves)
    np.testing.assert_allclose(q[0, 0], expected)
    np.testing.assert_allclose(q[0, 1], 0.0, atol=1e-12)  # 2-day moves are all zero
    assert q[0, 0, 1] == 0.0  # centred: the median is the last close


def test_persistence_quantiles_use_only_moves_complete_by_the_origin():
    closes = 100.0 * np.exp(np.random.default_rng(3).normal(0, 0.02, 80).cumsum())
    changed = closes.copy()
    changed[51:] *= 3.0  # the future changes wildly after origin 50
    p = Persistence(horizon=7)
    np.testing.assert_array_equal(
        p.predict_quantiles(closes, [50]), p.predict_quantiles(changed, [50])
    )


def test_persistence_quantiles_read_a_trailing_window_only():
    rng = np.random.default_rng(4)
    calm = 100.0 * np.exp(rng.normal(0, 0.001, 400).cumsum())
    wild = calm.copy()
    wild[:200] = 100.0 * np.exp(rng.normal(0, 0.2, 200).cumsum())  # older than the window
    wild[200:] *= wild[199] / calm[199]
    p = Persistence(horizon=7, window=100)
    np.testing.assert_allclose(
        p.predict_quantiles(calm, [399]), p.predict_quantiles(wild, [399]), atol=1e-12
    )


def test_persistence_quantiles_are_ordered_and_collapse_without_history():
    closes = 100.0 * np.exp(np.random.default_rng(5).normal(0, 0.03, 500).cumsum())
    q = Persistence(quantiles=(0.05, 0.1, 0.5, 0.9, 0.95)).predict_quantiles(closes, [0, 450])
    assert not q[0].any()  # no past move at the first close: the point, no spread
    assert (np.diff(q[1], axis=-1) >= 0).all()
    assert (q[1, :, 0] < 0).all()
    assert (q[1, :, -1] > 0).all()
