from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cryptonic.errors import DataError
from cryptonic.forecast.windows import (
    denormalize_relative,
    history_windows,
    model_inputs,
    normalize_relative,
    normalize_weeks,
    target_windows,
    training_origins,
)

# Round-off grows with the ratio between prices (up to 1e9 here): 1e-6 relative is honest.
prices = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
series = arrays(np.float64, st.integers(30, 120), elements=prices)


@given(series, st.floats(min_value=1e-3, max_value=1e6))
def test_relative_round_trip_is_identity(values, base):
    back = denormalize_relative(normalize_relative(values, base), base)
    np.testing.assert_allclose(back, values, rtol=1e-6)


@given(arrays(np.float64, st.tuples(st.integers(1, 10), st.just(7)), elements=prices))
def test_week_round_trip_is_identity(weeks):
    normalized = normalize_weeks(weeks)
    assert np.all(normalized[:, 0] == 0.0)
    np.testing.assert_allclose(denormalize_relative(normalized, weeks[:, 0]), weeks, rtol=1e-6)


@settings(max_examples=50)
@given(series, st.integers(1, 3), st.data())
def test_no_input_window_sees_the_future(values, weeks, data):
    """Changing every close after the origin leaves the model input at that origin unchanged."""
    lookback = weeks * 7
    if values.size <= lookback:
        return
    origin = data.draw(st.integers(lookback - 1, values.size - 1))
    future = values.copy()
    future[origin + 1 :] = future[origin + 1 :] * 3.0 + 1.0
    for arch in ("default", "book"):
        a = model_inputs(values, [origin], arch, weeks)
        b = model_inputs(future, [origin], arch, weeks)
        np.testing.assert_array_equal(a, b)


@settings(max_examples=50)
@given(series, st.integers(1, 4))
def test_training_windows_align_inputs_and_targets(values, weeks):
    lookback, horizon = weeks * 7, 7
    if values.size < lookback + horizon:
        with pytest.raises(DataError):
            training_origins(values.size, lookback, horizon)
        return
    origins = training_origins(values.size, lookback, horizon)
    x = history_windows(values, origins, lookback)
    y = target_windows(values, origins, horizon)
    assert x.shape == (origins.size, lookback)
    assert y.shape == (origins.size, horizon)
    np.testing.assert_allclose(x[:, -1], 0.0, atol=1e-12)  # the origin is its own base
    # the last target ends on the last close: nothing is thrown away, nothing read past the end
    np.testing.assert_allclose(
        denormalize_relative(y[-1], values[origins[-1]]), values[-horizon:], rtol=1e-6
    )
    assert origins[0] == lookback - 1


def test_book_inputs_are_weeks_normalized_to_their_first_close():
    closes = np.arange(1.0, 15.0)
    x = model_inputs(closes, [13], "book", 2)[0]
    np.testing.assert_allclose(x, normalize_weeks(closes.reshape(2, 7)), rtol=1e-6)


def test_origin_without_enough_history_is_refused():
    with pytest.raises(DataError, match="fewer than 14 closes of history"):
        history_windows(np.ones(20), [5], 14)
