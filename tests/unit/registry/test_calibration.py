"""The served band's adaptive calibration state: each matured outcome applied once, only the
served version's own, a new version from its fit-time band, and what a forecast body says."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from cryptonic.errors import IntegrityError
from cryptonic.forecast.adaptive import AdaptiveScales
from cryptonic.forecast.value import Forecast
from cryptonic.registry.calibration import (
    BandCalibration,
    CalibrationState,
    calibrated,
    start_of_serving,
)
from cryptonic.registry.track_record import LedgerRow

TICKER = "BTC-USD"
V1, V2 = "20260901T003000Z-0000001", "20260908T060000Z-0000002"
D0 = dt.date(2026, 9, 1)
STEP = 0.05


def row(
    as_of: dt.date,
    inside_days: list[bool | None] | None,
    version: str = V1,
) -> LedgerRow:
    days = [d for d in inside_days or [] if d is not None]
    return LedgerRow(
        as_of=as_of,
        version=version,
        role="champion",
        last_close=100.0,
        last_date=as_of + dt.timedelta(days=7),
        days_scored=len(days),
        banded_days=len(days),
        inside=sum(days),
        inside_days=inside_days,
        interval_level=0.8,
    )


def fresh(since: dt.date = dt.date.min, version: str = V1) -> CalibrationState:
    return CalibrationState.fresh(TICKER, version, since, 0.8, 7, STEP)


def forecast(band: float = 10.0) -> Forecast:
    return Forecast(
        ticker=TICKER,
        as_of=D0,
        last_close=100.0,
        dates=[D0 + dt.timedelta(days=i + 1) for i in range(7)],
        values=[100.0 + i for i in range(7)],
        lower=[100.0 + i - band for i in range(7)],
        upper=[100.0 + i + 2 * band for i in range(7)],  # not symmetric: each side scales
        interval_level=0.8,
    )


# -- the state -------------------------------------------------------------------------------


def test_each_matured_outcome_moves_its_days_scale_once():
    state = fresh()
    rows = [row(D0, [False, True, None, None, None, None, None])]  # two days matured
    once = state.updated(rows, step=STEP, keep_from=D0)
    assert once.adaptive.updates == 2
    assert once.adaptive.scales[0] == pytest.approx(math.exp(STEP * (1 - 0.2)))  # a miss widens
    assert once.adaptive.scales[1] == pytest.approx(math.exp(STEP * (0 - 0.2)))  # inside narrows
    assert once.adaptive.scales[2:] == (1.0,) * 5
    assert once.applied == {D0: [0, 1]}
    assert once.updated(rows, step=STEP, keep_from=D0) == once  # a rerun applies nothing


def test_days_that_mature_later_are_applied_when_they_do_and_only_they():
    state = fresh().updated(
        [row(D0, [True, None, None, None, None, None, None])], step=STEP, keep_from=D0
    )
    later = state.updated(
        [row(D0, [True, False, False, None, None, None, None])], step=STEP, keep_from=D0
    )
    assert later.adaptive.updates == 3
    assert later.applied == {D0: [0, 1, 2]}
    assert later.adaptive.scales[0] == state.adaptive.scales[0]  # day 0 not applied again


def test_only_the_states_own_version_since_it_started_serving_feeds_it():
    since = D0 + dt.timedelta(days=3)
    state = fresh(since)
    rows = [
        row(D0 + dt.timedelta(days=1), [False] * 7),  # before it started serving (a rollback)
        row(D0 + dt.timedelta(days=4), [False] * 7, version=V2),  # another version's
        row(D0 + dt.timedelta(days=5), [False, False, None, None, None, None, None]),
        row(D0 + dt.timedelta(days=6), None),  # scored before the days were kept
    ]
    updated = state.updated(rows, step=STEP, keep_from=D0)
    assert updated.adaptive.updates == 2
    assert updated.applied == {D0 + dt.timedelta(days=5): [0, 1]}


def test_pruned_forecasts_leave_the_record_of_what_was_applied():
    rows = [row(D0, [True] * 7), row(D0 + dt.timedelta(days=9), [True] + [None] * 6)]
    state = fresh().updated(rows, step=STEP, keep_from=D0)
    assert set(state.applied) == {D0, D0 + dt.timedelta(days=9)}
    later = state.updated(rows[1:], step=STEP, keep_from=D0 + dt.timedelta(days=2))
    assert set(later.applied) == {D0 + dt.timedelta(days=9)}
    assert later.adaptive == state.adaptive


def test_the_step_of_the_day_is_the_one_applied():
    rows = [row(D0, [False] + [None] * 6)]
    state = fresh().updated(rows, step=0.2, keep_from=D0)
    assert state.adaptive.scales[0] == pytest.approx(math.exp(0.2 * 0.8))
    assert state.adaptive.step == 0.2


@pytest.mark.parametrize("calm_to_wild", [True, False])
def test_fed_by_the_live_record_coverage_returns_to_nominal_after_a_volatility_break(
    calm_to_wild: bool,
):
    """Daily forecasts whose fit-time band suits the first regime; the volatility then moves
    by 3x (up or down). The served band's coverage over the last 300 days ends near 80%."""
    rng = random.Random(7)
    state = fresh()
    z80 = 1.2816  # the 0.9 quantile of a standard normal
    rows: list[LedgerRow] = []
    hits: list[bool] = []
    for t in range(900):
        sigma = 1.0 if (t < 300) == calm_to_wild else 3.0
        fit = 1.0 if calm_to_wild else 3.0  # the band the fit calibrated, regime one
        as_of = D0 + dt.timedelta(days=t)
        scale = state.adaptive.scales[0]
        inside = abs(rng.gauss(0.0, sigma)) <= scale * z80 * fit
        hits.append(inside)
        rows = [*rows[-20:], row(as_of, [inside] + [None] * 6)]  # a day-ahead outcome
        state = state.updated(rows, step=STEP, keep_from=as_of - dt.timedelta(days=30))
    assert state.adaptive.updates == 900
    late = sum(hits[-300:]) / 300
    assert late == pytest.approx(0.8, abs=0.05)
    assert (state.adaptive.scales[0] > 2.0) == calm_to_wild  # it learned the move's direction


def test_start_of_serving_is_the_day_after_another_versions_served_forecast():
    served = [row(D0 + dt.timedelta(days=5), [None] * 7, V2), row(D0, [None] * 7, V1)]
    assert start_of_serving(served, V2) == D0 + dt.timedelta(days=1)
    assert start_of_serving(served, V1) == D0 + dt.timedelta(days=6)
    assert start_of_serving([], V1) == dt.date.min


def test_the_stored_state_round_trips_and_a_broken_one_is_refused_by_name():
    state = fresh().updated([row(D0, [False] * 7)], step=STEP, keep_from=D0)
    stored = state.model_dump(mode="json")
    assert stored["applied"] == {"2026-09-01": [0, 1, 2, 3, 4, 5, 6]}
    assert CalibrationState.parse(stored, "here") == state
    stored["adaptive"]["scales"][3] = -1.0
    with pytest.raises(IntegrityError, match="here is not a valid calibration state"):
        CalibrationState.parse(stored, "here")
    with pytest.raises(IntegrityError, match="here is not a valid calibration state"):
        CalibrationState.parse({**state.model_dump(mode="json"), "extra": 1}, "here")


# -- the band and what the body says ---------------------------------------------------------


def test_a_state_that_learned_nothing_serves_the_fit_time_band_exactly():
    original = forecast()
    same = calibrated(original, AdaptiveScales.fresh(0.8, 7))
    assert (same.lower, same.upper) == (original.lower, original.upper)
    assert same.extra == {
        "calibration": "fit",
        "interval_scales": [1.0] * 7,
        "calibration_outcomes": 0,
    }


def test_an_adapted_state_rescales_each_days_spread_around_the_median():
    original = forecast()
    scales = (2.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.5)
    adapted = calibrated(original, AdaptiveScales(0.8, STEP, scales, updates=12))
    assert adapted.values == original.values
    assert adapted.lower is not None
    assert adapted.upper is not None
    assert adapted.lower[0] == pytest.approx(100.0 - 20.0)
    assert adapted.upper[0] == pytest.approx(100.0 + 40.0)
    assert adapted.lower[1] == pytest.approx(101.0 - 5.0)
    assert adapted.upper[6] == pytest.approx(106.0 + 30.0)
    body = adapted.to_dict()
    assert (body["calibration"], body["interval_scales"], body["calibration_outcomes"]) == (
        "adaptive",
        list(scales),
        12,
    )
    assert BandCalibration.read(body, 7) == BandCalibration("adaptive", scales, 12)
    assert Forecast.from_dict(body).extra == adapted.extra  # the log keeps what it says


def test_a_point_forecast_has_no_band_to_adapt():
    point = Forecast(TICKER, D0, 100.0, [D0 + dt.timedelta(days=1)], [101.0])
    assert calibrated(point, AdaptiveScales(0.8, STEP, (2.0,), updates=3)) is point


def test_a_body_from_before_adaptive_calibration_is_fit_time():
    assert BandCalibration.read({}, 3) == BandCalibration("fit", (1.0, 1.0, 1.0), 0)


@pytest.mark.parametrize(
    "fields",
    [
        {"calibration": "tuned"},
        {"interval_scales": [1.0, 1.0]},
        {"interval_scales": [1.0, 0.0, 1.0]},
        {"interval_scales": "wide"},
        {"calibration_outcomes": -1},
        {"calibration_outcomes": True},
    ],
)
def test_a_malformed_calibration_is_refused(fields):
    with pytest.raises(ValueError, match=r"calibration|interval_scales"):
        BandCalibration.read(fields, 3)
