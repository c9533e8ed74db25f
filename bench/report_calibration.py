"""BENCHMARKS.md's sections on the interval's calibration: fit-time against adaptive per series,
and the research behind the adaptive step's default."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from bench.calibration_step import COVERAGE_GOAL, PINBALL_GOAL, passes


def _ran(r: dict[str, Any], part: str) -> bool:
    return part in r and "error" not in r[part]


def _change(row: dict[str, Any]) -> float:
    return float(row["adaptive_pinball"] / row["pinball"] - 1.0)


def _meets(row: dict[str, Any]) -> bool:
    figures = {"coverage": row["adaptive_coverage"], "pinball": row["adaptive_pinball"]}
    return passes(row["level"], row["pinball"], **figures)["both"]


def calibration_goal_rows(r: dict[str, Any]) -> list[str]:
    """The issue's goal on BTC's default model, for the table against the goals."""
    if not _ran(r, "calibration"):
        return []
    btc = next((s for s in r["calibration"]["series"] if s["series"] == "BTC-USD"), None)
    if btc is None:
        return []
    row = next(x for x in btc["rows"] if x["model"] == "default")
    return [
        f"| BTC default model's {row['level']:.0%} interval, adaptive calibration, last "
        f"{r['calibration']['weeks']} weeks: coverage; pinball against fit-time | "
        f"{row['adaptive_coverage']:.1%} (fit-time {row['coverage']:.1%}); "
        f"{_change(row):+.2%} | within {COVERAGE_GOAL * 100:.0f} points; <= "
        f"+{PINBALL_GOAL:.1%} | {'met' if _meets(row) else '**missed**'} |"
    ]


def calibration_section(r: dict[str, Any]) -> list[str]:
    """Per series and forecaster: coverage and pinball, fit-time beside adaptive."""
    if "calibration" in r and "error" in r["calibration"]:
        return ["## Intervals: fit-time against adaptive calibration", "", "**failed**", ""]
    if not _ran(r, "calibration"):
        return []
    c = r["calibration"]
    lines = [
        "## Intervals: fit-time against adaptive calibration",
        "",
        f"`python -m bench --only calibration [--csv-folder DIR]`. The last {c['weeks']} weekly "
        "origins of each series: the default model (seed 42, fitted once on the closes before "
        "the first origin) and persistence's band (the past year's moves), scored as calibrated "
        "at fit time and as adapted with CALIBRATION_STEP "
        f"{c['step']:g} per matured outcome, the adaptation replayed every day with only the "
        "outcomes matured by then (a new champion's state: scales 1 at the first origin). "
        "`cover`: share of closes inside the 80% interval (goal: within "
        f"{COVERAGE_GOAL * 100:.0f} points); `pinball` in % of the last close (goal: adaptive "
        f"no worse than fit-time by more than {PINBALL_GOAL:.1%}); `p-skill` against "
        "persistence's fit-time band. Series: BTC (bundled), real non-BTC series cut from "
        "`arch`'s datasets (bench/reference_series.py)"
        + (f", the CSVs of {c['csv_folder']}" if c.get("csv_folder") else "")
        + ". 104 weekly origins are a seventh of the days the band is served on, and their 7 "
        "days overlap: a band that holds 80% over every day can read 76% or 84% on them.",
        "",
        "| series | forecasts | model | cover fit-time | cover adaptive | pinball fit-time | "
        "pinball adaptive | change | p-skill fit-time / adaptive | both goals |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in c["series"]:
        w = s["window"]
        for row in s["rows"]:
            lines.append(
                f"| {s['series']} | {w['start']} .. {w['end']} | {row['model']} | "
                f"{row['coverage']:.3f} | {row['adaptive_coverage']:.3f} | {row['pinball']:.3f} "
                f"| {row['adaptive_pinball']:.3f} | {_change(row):+.2%} | "
                f"{row['pinball_skill']:+.3f} / {row['adaptive_pinball_skill']:+.3f} | "
                f"{'met' if _meets(row) else 'missed'} |"
            )
    lines += ["", *_met_counts(c["series"]), *_horizons(c["series"])]
    for name, why in c.get("failed", {}).items():
        lines.append(f"- {name}: not backtested: {why}")
    return [*lines, ""]


def _met_counts(series: Sequence[dict[str, Any]]) -> list[str]:
    out = []
    for model in ("default", "persistence"):
        rows = [row for s in series for row in s["rows"] if row["model"] == model]
        fit = sum(abs(row["coverage"] - row["level"]) <= COVERAGE_GOAL + 1e-12 for row in rows)
        out.append(
            f"- {model}: both goals met on {sum(map(_meets, rows))} of {len(rows)} series; "
            f"coverage within {COVERAGE_GOAL * 100:.0f} points at fit time on {fit}."
        )
    return [*out, ""]


def _horizons(series: Sequence[dict[str, Any]]) -> list[str]:
    btc = next((s for s in series if s["series"] == "BTC-USD"), None)
    if btc is None:
        return []
    lines = [
        "BTC-USD per horizon day (coverage fit-time / adaptive, the scale reached at the end):",
        "",
        "| model | " + " | ".join(f"day {d}" for d in range(1, 8)) + " |",
        "|---|" + "---|" * 7,
    ]
    for row in btc["rows"]:
        cells = [
            f"{fit:.2f} / {ada:.2f} (x{scale:.2f})"
            for fit, ada, scale in zip(
                row["coverage_by_horizon"],
                row["adaptive_coverage_by_horizon"],
                row["adaptive_scales"],
                strict=True,
            )
        ]
        lines.append(f"| {row['model']} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def calibration_step_section(r: dict[str, Any]) -> list[str]:
    """The step sweep: how often each step meets the goals, synthetic then real."""
    if "calibration_step" in r and "error" in r["calibration_step"]:
        return ["## The adaptive calibration's step", "", "**failed**", ""]
    if not _ran(r, "calibration_step"):
        return []
    c = r["calibration_step"]
    lines = [
        "## The adaptive calibration's step (CALIBRATION_STEP), researched",
        "",
        "`python -m bench --only calibration_step [--csv-folder DIR]` (bench/calibration_step.py "
        "says how). Each band is one forecaster (the default model or persistence's band) on one "
        f"series, its last {c['weeks']} weekly origins. Synthetic series: "
        f"{len(_scenarios(c['cases']))} kinds x seeds {', '.join(map(str, c['seeds']))} (t(4) "
        "returns): the step is chosen there. Real series: BTC and the non-BTC series, a check. "
        f"Goals: coverage within {COVERAGE_GOAL * 100:.0f} points of 80%, pinball no worse than "
        f"fit-time by more than {PINBALL_GOAL:.1%}; `fit` is the fit-time band (no adaptation). "
        f"Meeting both most often on the synthetic series: step {c['best_on_synthetic']}; "
        "the rule (bench/calibration_step.py `chosen_step`: the steps within one band of that, "
        f"then the one the real series favour) chooses {c.get('chosen', '-')}; "
        f"CALIBRATION_STEP's default: {c['default_step']:g}.",
        "",
        "| series | step | bands | coverage met | pinball met | both met | mean / worst coverage "
        "gap | median pinball change |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in c["summary"]:
        lines.append(
            f"| {row['group']} | {row['step']} | {row['bands']} | {row['meet_coverage']} | "
            f"{row['meet_pinball']} | {row['meet_both']} | {row['mean_gap'] * 100:.1f} / "
            f"{row['worst_gap'] * 100:.1f} pts | {row['median_pinball_change']:+.2%} |"
        )
    return [*lines, "", *_by_scenario(c), ""]


def _scenarios(cases: Sequence[dict[str, Any]]) -> list[str]:
    seen: list[str] = []
    for case in cases:
        if case["group"] == "synthetic" and case["scenario"] not in seen:
            seen.append(case["scenario"])
    return seen


def _by_scenario(c: dict[str, Any]) -> list[str]:
    """At the default step: each kind's coverage and pinball change (means over seeds)."""
    step = format(c["default_step"], "g")
    if step not in c["steps"]:
        return []
    lines = [
        f"At the default step {step}, per series (synthetic: mean over seeds), coverage "
        "fit-time -> adaptive and the pinball change:",
        "",
        "| series | default model | persistence's band |",
        "|---|---|---|",
    ]
    names = _scenarios(c["cases"]) + [x["series"] for x in c["cases"] if x["group"] == "real"]
    for name in names:
        cases = [x for x in c["cases"] if name in (x["scenario"], x["series"])]
        cells = []
        for model in ("default", "persistence"):
            rows = [row for x in cases for row in x["rows"] if row["model"] == model]
            fit = statistics.mean(row["fit"]["coverage"] for row in rows)
            ada = statistics.mean(row["steps"][step]["coverage"] for row in rows)
            change = statistics.mean(
                row["steps"][step]["pinball"] / row["fit"]["pinball"] - 1.0 for row in rows
            )
            cells.append(f"{fit:.3f} -> {ada:.3f}, {change:+.2%}")
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    return lines
