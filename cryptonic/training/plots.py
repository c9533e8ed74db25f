"""The training side's charts (matplotlib, headless): what a person looks at to trust the
numbers. The backtest's forecasts against the realized closes (``cryptonic backtest --plot``) and
the tuner's trials against each knob (``cryptonic tune --plot``).

One module for both, above evaluation/ and tuning/ (it reads a report of each), so that the
figure set-up lives once: matplotlib imported on first use with the file backend (no display on
a build box or in a container), and every chart saved the same way. Nothing else on the
training side draws.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cryptonic.forecast.scores import ScoringProtocol
from cryptonic.training.tuning.space import knob_text

if TYPE_CHECKING:
    from cryptonic.training.evaluation.backtest import BacktestReport
    from cryptonic.training.tuning.search import TuneResult

__all__ = ["BANDED", "plot_backtest", "plot_trials"]

BANDED = ("default", "garch")
"""Forecasters whose interval is drawn (persistence's too when no model has one): more bands than
two on one chart hide the closes they are about."""
DPI = 110


def _pyplot() -> Any:
    """matplotlib's pyplot on the headless Agg backend, imported on first use (training only)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt: Any, fig: Any, path: Path, **savefig: Any) -> None:
    """Write the figure (its folder made if missing) and free it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, **savefig)
    plt.close(fig)


def plot_backtest(report: BacktestReport, path: Path) -> None:
    """Realized closes, each forecaster's weekly forecasts and, for the quantile models, the
    central interval (lowest to highest quantile) they promised at fit time, with the ends of
    the adapted interval dashed when the backtest replayed the adaptive calibration, over the
    backtest window."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 5))
    days = np.array([d for week in report.forecast_dates for d in week], dtype="datetime64[D]")
    protocol: ScoringProtocol = "honest"
    banded = [n for (n, p) in report.bands if p == protocol and n in BANDED] or [
        n for (n, p) in report.bands if p == protocol and n == "persistence"
    ]
    for name in banded:
        _draw_band(ax, report, name, protocol)
    for (name, proto), values in report.forecasts.items():
        if proto != protocol or name == "drift":
            continue
        for i, week in enumerate(report.forecast_dates):
            ax.plot(
                np.array(week, dtype="datetime64[D]"),
                values[i],
                lw=1,
                alpha=0.8,
                color=_colour(name),
                label=name if i == 0 else None,
            )
    ax.plot(days, report.actuals.ravel(), color="black", lw=1.4, label="realized close")
    ax.set_title(f"{report.ticker}: weekly walk-forward forecasts ({report.weeks} origins)")
    ax.legend(fontsize="small")
    fig.autofmt_xdate()
    _save(plt, fig, path, bbox_inches="tight")


def _draw_band(ax: Any, report: BacktestReport, name: str, protocol: ScoringProtocol) -> None:
    """One forecaster's fit-time interval, shaded, and its adapted interval's ends, dashed."""
    band = report.bands[(name, protocol)]
    row = report.row(name, protocol)
    label = f"{name} {band.interval_level:.0%} interval (covered {row.coverage:.0%})"
    adapted_label = f"{name} adapted interval (covered {row.adaptive_coverage or 0:.0%})"
    for i, week in enumerate(report.forecast_dates):
        x = np.array(week, dtype="datetime64[D]")
        ax.fill_between(
            x,
            band.prices[i, :, 0],
            band.prices[i, :, -1],
            color=_colour(name),
            alpha=0.18,
            lw=0,
            label=label if i == 0 else None,
        )
        if band.adapted is not None:
            for end in (0, -1):
                ax.plot(
                    x,
                    band.adapted[i, :, end],
                    color=_colour(name),
                    lw=0.8,
                    ls="--",
                    label=adapted_label if i == 0 and end == 0 else None,
                )


def _colour(name: str) -> str:
    return {
        "persistence": "tab:gray",
        "default": "tab:blue",
        "book": "tab:orange",
        "garch": "tab:red",
    }.get(name, "tab:green")


def plot_trials(result: TuneResult, path: Path) -> None:
    """Objective against each searched parameter (one panel each, jittered categories), the best
    trial in red: which knobs matter and which do not."""
    plt = _pyplot()
    names = [n for n in result.space if len(result.space[n]) > 1] or list(result.space)
    done = [t for t in result.trials if t.objective is not None]
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.8 * rows), squeeze=False)
    rng = np.random.default_rng(0)
    for ax, name in zip(axes.flat, names, strict=False):
        labels = [knob_text(v) for v in result.space[name]]
        for t in done:
            x = labels.index(knob_text(t.params[name])) + rng.uniform(-0.15, 0.15)
            best = result.best is not None and t.number == result.best.number
            ax.scatter(x, t.objective, color="tab:red" if best else "tab:blue", s=18)
        ax.set_xticks(range(len(labels)), labels)
        ax.axhline(1.0, color="grey", lw=0.8, ls="--")
        ax.set_title(name, fontsize=9)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    fig.suptitle(f"{result.ticker}: objective vs parameter (dashed: persistence)", fontsize=10)
    fig.tight_layout()
    _save(plt, fig, path)
