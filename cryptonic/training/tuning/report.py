"""What ``cryptonic tune`` prints of a search: the leaderboard, the nested backtest table, the
best configuration as env lines and as SAM arguments, one line per trial for logs, and the
``--json`` document. The trial plot is the training side's other charts' neighbour
(training/plots.py)."""

from __future__ import annotations

import json
import sys
from typing import Any

from cryptonic.training.tuning.search import Trial, TuneResult
from cryptonic.training.tuning.space import KNOBS, knob_text

__all__ = [
    "backtest_table",
    "env_lines",
    "leaderboard",
    "parameter_overrides",
    "print_trial",
    "report_text",
    "to_json",
]


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _ranked(result: TuneResult, top: int | None) -> list[tuple[str, Trial]]:
    """(rank, trial), best first and failures last; today's default unranked ("-") in its place
    by objective."""
    ranked = sorted(
        result.trials,
        key=lambda t: (
            t.objective is None,
            t.objective if t.objective is not None else 0,
            t.number,
        ),
    )
    listed = [(str(rank), t) for rank, t in enumerate(ranked[:top] if top else ranked, start=1)]
    if result.default is not None:
        value = result.default.objective
        at = next(
            (
                i
                for i, (_, t) in enumerate(listed)
                if value is not None and (t.objective is None or t.objective > value)
            ),
            len(listed),
        )
        listed.insert(at, ("-", result.default))
    return listed


def leaderboard(result: TuneResult, top: int | None = None) -> str:
    """The trials, best first: objective, its parts, seconds, then every searched parameter."""
    names = list(result.space)
    header = ["#", "TRIAL", "OBJECTIVE", "MAPE/PERS", "PINBALL/PERS", "COVERAGE", "SECONDS", *names]
    rows = [header]
    for rank, t in _ranked(result, top):
        rows.append(
            [
                rank,
                "default" if t.number < 0 else str(t.number),
                _num(t.objective, ".4f") if t.error is None else "failed",
                _num(t.mape_ratio, ".4f"),
                _num(t.pinball_ratio, ".4f"),
                _num(t.coverage, ".0%"),
                f"{t.seconds:.1f}",
                *[knob_text(t.params.get(n)) for n in names],
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def env_lines(result: TuneResult) -> list[str]:
    """The best configuration as environment lines (what Settings reads)."""
    if result.best is None:
        return []
    return [f"{KNOBS[n].env}={knob_text(v)}" for n, v in result.best.params.items()]


def parameter_overrides(result: TuneResult) -> str:
    """The best configuration as ``sam deploy --parameter-overrides`` arguments."""
    if result.best is None:
        return ""
    pairs = " ".join(f"{KNOBS[n].sam}={knob_text(v)}" for n, v in result.best.params.items())
    return f"sam deploy --parameter-overrides {pairs}"


def backtest_table(result: TuneResult) -> str:
    """The nested report: persistence, today's default and the tuned config on the backtest
    window, which no trial read; the band fit-time, then after adaptive calibration (``A-``:
    the band users are served, the one the search judged)."""
    lines = [
        f"{'':<12} {'MAPE%':>8} {'MAPE RANGE':>15} {'RMSE':>10} {'SKILL':>7} {'COVER':>6} "
        f"{'PINBALL':>8} {'P-SKILL':>8} {'A-COVER':>7} {'A-P-SKILL':>9}"
    ]
    for row in result.backtest:
        spread = f"{row['mape_min']:.3f}..{row['mape_max']:.3f}" if row["seeds"] > 1 else "-"
        lines.append(
            f"{row['model']:<12} {row['mape']:>8.3f} {spread:>15} {row['rmse']:>10,.1f} "
            f"{row['skill']:>+7.3f} {_num(row.get('coverage'), '.0%'):>6} "
            f"{_num(row.get('pinball'), '.3f'):>8} {_num(row.get('pinball_skill'), '+.3f'):>8} "
            f"{_num(row.get('adaptive_coverage'), '.0%'):>7} "
            f"{_num(row.get('adaptive_pinball_skill'), '+.3f'):>9}"
        )
    return "\n".join(lines)


def report_text(result: TuneResult) -> str:
    """Everything ``cryptonic tune`` prints on the terminal."""
    done = [t for t in result.trials if t.error is None]
    w = result.windows
    out = [
        f"{result.ticker}: {len(result.trials)} trials ({len(result.trials) - len(done)} failed) "
        f"of {result.sampler} search in {result.seconds:.1f} s, seed {result.seed}, "
        f"objective {result.objective_name} vs persistence (lower is better, < 1 beats it)",
        f"tuning window: {w['tune']['weeks']} weeks from {w['tune']['first_origin']} to "
        f"{w['tune']['last_day']}; backtest window (never seen by the search): "
        f"{w['backtest']['weeks']} weeks from {w['backtest']['first_origin']} to "
        f"{w['backtest']['last_day']}",
        "",
        leaderboard(result),
        "",
    ]
    if result.best is None:
        out.append("no trial finished: nothing to recommend")
        return "\n".join(out)
    out.append(f"best: trial {result.best.number}, objective {result.best.objective:.4f}")
    if result.default is not None and result.default.objective is not None:
        out.append(
            f"today's default on the same tuning window: objective {result.default.objective:.4f}"
        )
    out.append("")
    if result.backtest:
        seeds = ", ".join(result.backtest_by_seed)
        out += [
            f"backtest window, each fitted once before it (seeds {seeds}; means):",
            backtest_table(result),
            "",
        ]
    out += ["as environment lines:", *env_lines(result), "", parameter_overrides(result)]
    return "\n".join(out)


def print_trial(trial: Trial, total: int, stream: Any = sys.stderr) -> None:
    """One line per finished trial, for logs without a terminal (the progress bar's stand-in)."""
    state = "failed: " + (trial.error or "") if trial.error else f"objective {trial.objective:.4f}"
    stream.write(f"trial {trial.number + 1}/{total}: {state} ({trial.seconds:.1f} s)\n")
    stream.flush()


def to_json(result: TuneResult) -> str:
    """``--json``: every trial and the best, plus the windows and the nested backtest."""
    return json.dumps(result.to_dict(), indent=2, default=str)
