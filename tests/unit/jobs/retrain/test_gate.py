from __future__ import annotations

from cryptonic.jobs.retrain.gate import decide

BASE = {"challenger_mape": 3.8, "challenger_skill": -0.02, "persistence_mape": 3.7}


def test_insane_challenger_is_never_promoted():
    d = decide(sane=False, sanity_problem="forecast is NaN", **BASE)
    assert not d.promote
    assert "forecast is NaN" in d.reason


def test_first_sane_model_is_promoted_and_compared_with_persistence():
    d = decide(sane=True, **BASE)
    assert d.promote
    assert d.basis == "first model"
    assert "persistence MAPE 3.70%" in d.reason


def test_unseen_weeks_decide_by_mape_with_margin_and_ties_go_to_the_challenger():
    common = {**BASE, "sane": True, "champion_version": "v1", "clean_weeks": 5}
    worse = decide(**common, clean_challenger_mape=4.0, clean_champion_mape=3.9)
    assert not worse.promote
    assert "worse than champion v1" in worse.reason
    tie = decide(**common, clean_challenger_mape=3.9, clean_champion_mape=3.9)
    assert tie.promote
    within = decide(**common, clean_challenger_mape=4.0, clean_champion_mape=3.9, margin=0.05)
    assert within.promote
    assert within.basis == "mape on unseen weeks"


def test_few_unseen_weeks_fall_back_to_skill_against_persistence():
    common = {**BASE, "sane": True, "champion_version": "v1", "clean_weeks": 1}
    kept = decide(**common, champion_recorded_skill=0.05)
    assert not kept.promote
    assert kept.basis == "skill vs persistence"
    assert "only 1 unseen weeks" in kept.reason
    assert decide(**common, champion_recorded_skill=-0.03).promote


def test_a_warm_started_challengers_reasons_say_its_backtest_is_optimistic():
    common = {**BASE, "sane": True, "champion_version": "v1"}
    on_skill = decide(**common, clean_weeks=1, champion_recorded_skill=-0.03, warm_started=True)
    on_unseen = decide(
        **common,
        clean_weeks=5,
        clean_challenger_mape=3.0,
        clean_champion_mape=3.9,
        warm_started=True,
    )
    for decision in (on_skill, on_unseen, decide(sane=True, **BASE, warm_started=True)):
        assert "optimistic: strategy continue warm-starts the backtest" in decision.reason
    assert "optimistic" not in decide(**common, clean_weeks=1, champion_recorded_skill=-0.03).reason


def test_a_challenger_whose_coverage_misses_its_level_is_refused_and_told_why():
    common = {**BASE, "sane": True, "champion_version": "v1", "clean_weeks": 5}
    better = {"clean_challenger_mape": 3.0, "clean_champion_mape": 3.9}
    low = decide(**common, **better, challenger_coverage=0.62, interval_level=0.8)
    assert not low.promote
    assert low.basis == "coverage"
    assert "coverage 62.0% is 18.0% below its nominal 80% (tolerance 10%)" in low.reason
    high = decide(**common, **better, challenger_coverage=0.97, interval_level=0.8)
    assert not high.promote
    assert "above its nominal 80%" in high.reason
    kept = decide(
        **common, **better, challenger_coverage=0.62, interval_level=0.8, coverage_tolerance=0.2
    )
    assert kept.promote
    assert kept.basis == "mape on unseen weeks"


def test_coverage_within_tolerance_leaves_todays_rule_and_a_point_challenger_skips_it():
    common = {**BASE, "sane": True, "champion_version": "v1", "clean_weeks": 5}
    worse = {"clean_challenger_mape": 4.0, "clean_champion_mape": 3.9}
    d = decide(**common, **worse, challenger_coverage=0.78, interval_level=0.8)
    assert not d.promote
    assert d.basis == "mape on unseen weeks"
    point = decide(**common, clean_challenger_mape=3.0, clean_champion_mape=3.9)
    assert point.promote


def test_first_model_is_promoted_even_with_a_bad_interval_but_the_reason_says_so():
    d = decide(sane=True, **BASE, challenger_coverage=0.5, interval_level=0.8)
    assert d.promote
    assert d.basis == "first model"
    assert "coverage 50.0% is 30.0% below its nominal 80%" in d.reason
    assert "promoted anyway" in d.reason
    kept = decide(sane=True, **BASE, challenger_coverage=0.8, interval_level=0.8).reason
    assert "below" not in kept
    assert "challenger coverage 80.0%, nominal 80%" in kept


def test_the_coverage_judged_after_adaptation_is_named_so_beside_the_fit_time_one():
    common = {**BASE, "sane": True, "champion_version": "v1", "clean_weeks": 5}
    better = {"clean_challenger_mape": 3.0, "clean_champion_mape": 3.9}
    adapted = {"interval_level": 0.8, "fit_time_coverage": 0.62}
    kept = decide(**common, **better, challenger_coverage=0.79, **adapted)
    assert kept.promote  # the fit-time 62% alone would have been refused
    assert kept.basis == "mape on unseen weeks"
    assert (
        "challenger coverage 79.0% after adaptive calibration (fit-time 62.0%), nominal 80%"
        in kept.reason
    )
    refused = decide(**common, **better, challenger_coverage=0.66, **adapted)
    assert not refused.promote
    assert refused.basis == "coverage"
    assert refused.challenger == 0.66
    assert (
        "challenger coverage 66.0% after adaptive calibration (fit-time 62.0%) is 14.0% below "
        "its nominal 80%" in refused.reason
    )
