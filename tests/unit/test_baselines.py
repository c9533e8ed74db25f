from __future__ import annotations

import numpy as np
import pytest

from cryptonic.baselines import Drift, Persistence


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
