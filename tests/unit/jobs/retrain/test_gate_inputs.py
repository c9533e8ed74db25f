"""The gate's inputs off a backtest: the champion's recorded skill, and both models' MAPE on the
origins whose forecast days all come after the champion's training data."""

from __future__ import annotations

import numpy as np
import pytest

from cryptonic.config import Settings
from cryptonic.jobs.retrain.gate_inputs import champion_inputs, first_unseen, gate_decision
from cryptonic.registry.manifest import BacktestRecord, BacktestWindow, DataInfo
from cryptonic.training.baselines.naive import Drift, Persistence
from cryptonic.training.evaluation.backtest import BacktestReport, walk_forward
from tests.fixtures.prices import make_prices
from tests.fixtures.published import manifest_draft, manifest_of, score_row


class Challenger(Drift):
    name = "default"


class Champion(Drift):
    name = "champion"

    def __init__(self) -> None:
        super().__init__(window=5)


def report(*forecasters) -> BacktestReport:
    frame = make_prices(200)
    dates = [ts.date() for ts in frame["date"]]
    return walk_forward(frame["close"].to_numpy(), dates, [Persistence(), *forecasters], weeks=6)


def champion(end, skill=None):
    metrics = None
    if skill is not None:
        window = BacktestWindow(start=end, end=end, weeks=4)
        metrics = BacktestRecord(
            window=window,
            model=score_row(skill=skill),
            persistence=score_row("persistence"),
            drift=score_row("drift"),
        )
    return manifest_of(
        manifest_draft(data=DataInfo(source="fixture", calendar="D", end=end), metrics=metrics)
    )


def test_the_first_unseen_origin_is_the_first_whose_days_follow_the_champions_data():
    backtest = report(Challenger())
    days = backtest.forecast_dates
    assert first_unseen(backtest, None) is None
    assert first_unseen(backtest, days[0][0]) == 1
    assert first_unseen(backtest, days[2][-1]) == 3
    assert first_unseen(backtest, days[-1][-1]) is None


def test_a_backtested_champion_is_compared_on_the_weeks_neither_saw():
    backtest = report(Challenger(), Champion())
    end = backtest.forecast_dates[1][-1]
    inputs = champion_inputs(backtest, "default", champion(end, skill=0.05))
    unseen = backtest.since(2)
    assert inputs == {
        "champion_version": "20261122T060000Z-0000001",
        "champion_recorded_skill": 0.05,
        "clean_weeks": 4,
        "clean_challenger_mape": unseen.row("default").mape,
        "clean_champion_mape": unseen.row("champion").mape,
    }
    assert unseen.weeks == 4


def test_a_champion_not_backtested_here_brings_its_recorded_skill_only():
    backtest = report(Challenger())
    inputs = champion_inputs(backtest, "default", champion(backtest.forecast_dates[0][0]))
    assert inputs == {
        "champion_version": "20261122T060000Z-0000001",
        "champion_recorded_skill": None,
    }
    assert champion_inputs(backtest, "default", None) == {}


def test_the_gate_judges_the_challengers_rows_with_the_settings_margins():
    backtest = report(Challenger())
    first = gate_decision(Settings(), backtest, "default", None, sane=True)
    assert (first.promote, first.basis) == (True, "first model")
    assert first.challenger == pytest.approx(backtest.row("default").mape)
    insane = gate_decision(Settings(), backtest, "default", None, sane=False)
    assert (insane.promote, insane.reason) == (
        False,
        "sanity check failed: forecast is not finite and positive",
    )
    served = champion(backtest.forecast_dates[0][0], skill=-10.0)
    kept = gate_decision(Settings(), backtest, "default", served, sane=True)
    assert kept.basis == "skill vs persistence"


class NarrowBand(Drift):
    """A challenger whose fit-time 80% band is far too narrow for its series: +-2% on every day
    of a walk with 2% daily moves."""

    name = "default"
    quantiles = (0.1, 0.5, 0.9)

    def predict_quantiles(self, closes, origins):
        band = np.array([-0.02, 0.0, 0.02])
        return np.broadcast_to(band, (len(origins), 7, 3)).copy()


def narrow_report(step: float | None) -> BacktestReport:
    frame = make_prices(1200, seed=4)
    dates = [ts.date() for ts in frame["date"]]
    closes = frame["close"].to_numpy()
    return walk_forward(closes, dates, [NarrowBand()], weeks=110, adaptive_step=step)


def test_the_gate_judges_the_coverage_after_adaptation_and_says_so():
    backtest = narrow_report(step=0.1)
    row = backtest.row("default")
    assert row.coverage < 0.6  # the fit-time band alone would be refused
    assert abs(row.adaptive_coverage - 0.8) <= 0.1
    served = champion(backtest.forecast_dates[0][0], skill=-10.0)
    decision = gate_decision(Settings(), backtest, "default", served, sane=True)
    assert decision.promote
    assert decision.basis == "skill vs persistence"
    assert (
        f"challenger coverage {row.adaptive_coverage:.1%} after adaptive calibration "
        f"(fit-time {row.coverage:.1%}), nominal 80%" in decision.reason
    )


def test_without_an_adaptive_replay_the_gate_judges_the_fit_time_coverage():
    backtest = narrow_report(step=None)
    row = backtest.row("default")
    assert row.adaptive_coverage is None
    served = champion(backtest.forecast_dates[0][0], skill=-10.0)
    decision = gate_decision(Settings(), backtest, "default", served, sane=True)
    assert (decision.promote, decision.basis) == (False, "coverage")
    assert decision.challenger == pytest.approx(row.coverage)
    assert f"challenger coverage {row.coverage:.1%} is " in decision.reason
    assert "adaptive" not in decision.reason
