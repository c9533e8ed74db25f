"""bench/calibration.py and its report: the series it reads, the rows it keeps, the table it
writes (a cheap stand-in for the default model: no training here)."""

from __future__ import annotations

import numpy as np
import pytest

from bench import calibration
from bench.calibration import Series, series
from bench.report_calibration import (
    calibration_goal_rows,
    calibration_section,
    calibration_step_section,
)
from cryptonic.data import to_yahoo_csv
from tests.fixtures.prices import make_prices


def test_btc_comes_first_then_the_reference_series_then_the_folders_csvs(tmp_path):
    (tmp_path / "TOY.csv").write_bytes(to_yahoo_csv(make_prices(50)))
    (tmp_path / "BROKEN.csv").write_text("Date,Close\n2024-01-01,-1\n")
    found, failed = series(tmp_path)
    names = [s.name for s in found]
    assert names[0] == "BTC-USD"
    assert {"SP500", "SP500-2009", "NASDAQ", "WTI", "WTI-2016"} <= set(names)
    assert names[-1] == "TOY"
    assert found[-1].closes.size == len(found[-1].dates) == 50
    assert set(failed) == {"BROKEN"}
    assert "BROKEN.csv" in failed["BROKEN"]


class StandIn:
    """The default model's place in the table: a fixed +-3% band named ``default``."""

    name = "default"
    horizon = 7
    min_history = 1
    quantiles = (0.1, 0.5, 0.9)

    def __init__(self, spec: object) -> None:
        pass

    def fit(self, closes):
        pass

    def predict_relative(self, closes, origins):
        return np.zeros((len(origins), 7))

    def predict_quantiles(self, closes, origins):
        band = np.array([-0.03, 0.0, 0.03])
        return np.broadcast_to(band, (len(origins), 7, 3)).copy()


def test_run_keeps_both_bands_fit_time_and_adaptive_and_reports_short_series(monkeypatch):
    long = make_prices(1200, seed=1)
    short = make_prices(300, seed=2)

    def made(csv_folder):
        return [
            Series(name, f["close"].to_numpy(), [d.date() for d in f["date"]])
            for name, f in (("LONG", long), ("SHORT", short))
        ], {}

    monkeypatch.setattr(calibration, "series", made)
    monkeypatch.setattr(calibration, "Model", StandIn)
    result = calibration.run(None, step=0.05)
    assert [s["series"] for s in result["series"]] == ["LONG"]
    assert "cannot hold 104 weekly origins" in result["failed"]["SHORT"]
    rows = {row["model"]: row for row in result["series"][0]["rows"]}
    assert set(rows) == {"default", "persistence"}
    for row in rows.values():
        assert 0 <= row["adaptive_coverage"] <= 1
        assert row["pinball"] > 0
        assert len(row["adaptive_scales"]) == 7
    assert result["series"][0]["window"]["weeks"] == 104


def _row(model, coverage, adaptive_coverage, pinball, adaptive_pinball):
    return {
        "model": model,
        "level": 0.8,
        "coverage": coverage,
        "adaptive_coverage": adaptive_coverage,
        "pinball": pinball,
        "adaptive_pinball": adaptive_pinball,
        "pinball_skill": 0.01,
        "adaptive_pinball_skill": 0.02,
        "coverage_by_horizon": [coverage] * 7,
        "adaptive_coverage_by_horizon": [adaptive_coverage] * 7,
        "adaptive_scales": [1.5] * 7,
    }


RESULTS = {
    "calibration": {
        "weeks": 104,
        "step": 0.02,
        "csv_folder": None,
        "failed": {"TINY": "too short"},
        "series": [
            {
                "series": "BTC-USD",
                "window": {"start": "2024-01-01", "end": "2025-12-31", "weeks": 104},
                "rows": [
                    _row("default", 0.70, 0.79, 2.0, 1.99),
                    _row("persistence", 0.82, 0.80, 2.1, 2.2),
                ],
            }
        ],
    }
}


def test_the_section_sets_fit_time_beside_adaptive_and_says_which_bands_meet_the_goals():
    text = "\n".join(calibration_section(RESULTS))
    assert (
        "| BTC-USD | 2024-01-01 .. 2025-12-31 | default | 0.700 | 0.790 | 2.000 | 1.990 |" in text
    )
    assert "-0.50% | +0.010 / +0.020 | met |" in text
    assert "+4.76% | +0.010 / +0.020 | missed |" in text  # persistence's pinball got worse
    assert (
        "- default: both goals met on 1 of 1 series; coverage within 5 points at fit time on 0"
        in text
    )
    assert "0.70 / 0.79 (x1.50)" in text
    assert "- TINY: not backtested: too short" in text
    assert "CALIBRATION_STEP 0.02" in text
    (goal,) = calibration_goal_rows(RESULTS)
    assert "79.0% (fit-time 70.0%); -0.50%" in goal
    assert goal.endswith("| met |")
    assert calibration_step_section(RESULTS) == []
    failed = calibration_section({"calibration": {"error": "boom"}})
    assert "**failed**" in failed


def test_the_step_section_lists_every_step_per_group_and_the_kinds_at_the_default():
    figures = {"coverage": 0.8, "pinball": 2.0}
    row = {"model": "default", "level": 0.8, "fit": figures, "steps": {"0.02": figures}}
    cases = [
        {
            "series": "calm #1",
            "group": "synthetic",
            "scenario": "calm",
            "rows": [row, {**row, "model": "persistence"}],
        },
        {
            "series": "BTC-USD",
            "group": "real",
            "scenario": "BTC-USD",
            "rows": [row, {**row, "model": "persistence"}],
        },
    ]
    summary = [
        {
            "group": "synthetic",
            "step": "0.02",
            "bands": 2,
            "meet_coverage": 2,
            "meet_pinball": 2,
            "meet_both": 2,
            "mean_gap": 0.0,
            "worst_gap": 0.0,
            "median_pinball_change": 0.0,
        },
    ]
    result = {
        "calibration_step": {
            "steps": ["0.02"],
            "default_step": 0.02,
            "best_on_synthetic": "0.02",
            "chosen": "0.02",
            "weeks": 104,
            "seeds": [1, 2, 3],
            "summary": summary,
            "cases": cases,
            "failed": {},
        }
    }
    text = "\n".join(calibration_step_section(result))
    assert "| synthetic | 0.02 | 2 | 2 | 2 | 2 | 0.0 / 0.0 pts | +0.00% |" in text
    assert (
        "then the one the real series favour) chooses 0.02; CALIBRATION_STEP's default: 0.02"
        in text
    )
    assert "| calm | 0.800 -> 0.800, +0.00% | 0.800 -> 0.800, +0.00% |" in text
    assert "| BTC-USD | 0.800 -> 0.800" in text
    with pytest.raises(StopIteration):
        next(iter(calibration_step_section({})))
