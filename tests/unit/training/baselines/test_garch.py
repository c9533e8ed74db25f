"""GARCH(1,1) interval baseline: its recursion against ``arch``'s, no look-ahead, ordering."""

from __future__ import annotations

import numpy as np
import pytest

from cryptonic.errors import DataError
from cryptonic.training.baselines.garch import (
    Garch,
    GarchParams,
    conditional_variance,
    horizon_variances,
    percent_log_returns,
    standardized_t_quantiles,
)

PARAMS = GarchParams(mu=0.1, omega=0.2, alpha=0.1, beta=0.8, nu=5.0)


def _closes(n: int = 800, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vol = np.where(np.arange(n) % 200 < 100, 0.01, 0.04)  # calm and wild stretches
    return 100.0 * np.exp(np.cumsum(rng.standard_t(5, n) * vol))


def test_variance_recursion_by_hand():
    returns = np.array([1.0, -2.0])
    v = conditional_variance(returns, PARAMS)
    eps = returns - PARAMS.mu
    assert v[0] == pytest.approx(np.var(eps))
    assert v[1] == pytest.approx(0.2 + 0.1 * eps[0] ** 2 + 0.8 * v[0])
    assert v[2] == pytest.approx(0.2 + 0.1 * eps[1] ** 2 + 0.8 * v[1])


def test_h_day_variance_sums_the_daily_forecasts():
    sums = horizon_variances(np.array([2.0]), PARAMS, 3)
    day2 = 0.2 + 0.9 * 2.0
    day3 = 0.2 + 0.9 * day2
    np.testing.assert_allclose(sums[0], [2.0, 2.0 + day2, 2.0 + day2 + day3])


def test_standardized_t_has_unit_variance_quantiles():
    z = standardized_t_quantiles([0.1, 0.5, 0.9], 1e6)  # ~ normal for huge nu
    np.testing.assert_allclose(z, [-1.2815515655446004, 0.0, 1.2815515655446004], atol=1e-4)


def test_one_step_variance_matches_arch():
    from arch import arch_model

    closes = _closes()
    model = Garch()
    model.fit(closes)
    assert model.params is not None
    returns = percent_log_returns(closes)
    fitted = arch_model(returns, mean="Constant", vol="GARCH", p=1, q=1, dist="t").fit(
        disp="off", show_warning=False
    )
    theirs = fitted.forecast(horizon=7, reindex=False).variance.to_numpy()[-1]
    mine = horizon_variances(conditional_variance(returns, model.params)[-1:], model.params, 7)
    # arch starts its recursion from a backcast, we from the sample variance: long forgotten
    np.testing.assert_allclose(np.diff(mine[0], prepend=0.0), theirs, rtol=1e-3)


def test_quantiles_are_ordered_wider_in_wild_stretches_and_read_only_the_past():
    closes = _closes()
    model = Garch(quantiles=(0.1, 0.5, 0.9))
    model.fit(closes[:500])
    calm, wild = 699, 799  # origins after 100 calm and 100 wild days
    q = model.predict_quantiles(closes, [calm, wild])
    assert q.shape == (2, 7, 3)
    assert (np.diff(q, axis=-1) > 0).all()
    assert (q[1, :, 2] - q[1, :, 0] > 2 * (q[0, :, 2] - q[0, :, 0])).all()
    changed = closes.copy()
    changed[calm + 1 :] *= 5.0
    np.testing.assert_array_equal(model.predict_quantiles(changed, [calm]), q[:1])
    np.testing.assert_allclose(model.predict_relative(closes, [calm]), q[:1, :, 1])


def test_garch_needs_history_and_a_fit():
    with pytest.raises(DataError, match="at least 100 returns"):
        Garch().fit(np.linspace(1, 2, 50))
    with pytest.raises(RuntimeError, match="before fit"):
        Garch().predict_quantiles(np.ones(10), [9])
