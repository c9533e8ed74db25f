"""The adaptive scale: which way it moves, where it stops, and that it converges to the level."""

from __future__ import annotations

import random

import pytest

from cryptonic.forecast.adaptive import SCALE_RANGE, AdaptiveScales, Outcome


def test_a_miss_widens_and_a_hit_narrows_only_its_own_day() -> None:
    state = AdaptiveScales.fresh(0.8, 3, step=0.1)
    after = state.updated([Outcome(0, missed=True), Outcome(2, missed=False)])
    assert after.scales[0] > 1.0
    assert after.scales[1] == 1.0
    assert after.scales[2] < 1.0
    assert after.updates == 2


def test_at_the_nominal_miss_rate_the_scale_stays_put() -> None:
    state = AdaptiveScales.fresh(0.8, 1, step=0.1)
    one_miss_four_hits = [Outcome(0, True)] + [Outcome(0, False)] * 4
    assert state.updated(one_miss_four_hits).scales[0] == pytest.approx(1.0)


def test_the_scale_stays_inside_its_range() -> None:
    state = AdaptiveScales.fresh(0.8, 1, step=1.0)
    assert state.updated([Outcome(0, True)] * 100).scales[0] == pytest.approx(SCALE_RANGE[1])
    assert state.updated([Outcome(0, False)] * 100).scales[0] == pytest.approx(SCALE_RANGE[0])


@pytest.mark.parametrize("true_width", [0.5, 2.0])
def test_coverage_converges_to_the_level_when_the_band_is_wrong(true_width: float) -> None:
    """A unit band around 0 with noise of another width: too narrow (2.0) or too wide (0.5)."""
    rng = random.Random(7)
    state = AdaptiveScales.fresh(0.8, 1, step=0.05)
    inside = 0
    rounds = 4000
    for _ in range(rounds):
        [lower], [upper] = state.band([0.0], [-1.28], [1.28])
        value = rng.gauss(0.0, true_width)
        hit = lower <= value <= upper
        inside += hit
        state = state.updated([Outcome(0, missed=not hit)])
    assert inside / rounds == pytest.approx(0.8, abs=0.03)


def test_the_band_scales_each_side_around_the_median() -> None:
    state = AdaptiveScales(level=0.8, step=0.1, scales=(2.0, 0.5))
    lower, upper = state.band([100.0, 100.0], [90.0, 80.0], [105.0, 110.0])
    assert lower == [80.0, 90.0]
    assert upper == [110.0, 105.0]


def test_it_round_trips_and_refuses_nonsense() -> None:
    state = AdaptiveScales.fresh(0.8, 7).updated([Outcome(3, True)])
    assert AdaptiveScales.from_dict(state.to_dict()) == state
    with pytest.raises(ValueError, match="level"):
        AdaptiveScales.fresh(1.2, 7)
    with pytest.raises(ValueError, match="horizon 7"):
        state.updated([Outcome(7, True)])
