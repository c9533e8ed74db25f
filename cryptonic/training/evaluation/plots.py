"""Charts of backtests (matplotlib, headless): what a person looks at to trust the numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cryptonic.forecast.scores import ScoringProtocol
from cryptonic.training.evaluation.backtest import BacktestReport

BANDED = ("default", "garch")
"""Forecasters whose interval is drawn (persistence's too when no model has one): more bands than
two on one chart hide the closes they are about."""


def plot_backtest(report: BacktestReport, path: Path) -> None:
    """Realized closes, each forecaster's weekly forecasts and, for the quantile models, the
    central interval (lowest to highest quantile) they promised, over the backtest window."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 5))
    days = np.array([d for week in report.forecast_dates for d in week], dtype="datetime64[D]")
    protocol: ScoringProtocol = "honest"
    banded = [n for (n, p) in report.bands if p == protocol and n in BANDED] or [
        n for (n, p) in report.bands if p == protocol and n == "persistence"
    ]
    for name in banded:
        band = report.bands[(name, protocol)]
        row = report.row(name, protocol)
        label = f"{name} {band.interval_level:.0%} interval (covered {row.coverage:.0%})"
        for i, week in enumerate(report.forecast_dates):
            ax.fill_between(
                np.array(week, dtype="datetime64[D]"),
                band.prices[i, :, 0],
                band.prices[i, :, -1],
                color=_colour(name),
                alpha=0.18,
                lw=0,
                label=label if i == 0 else None,
            )
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def _colour(name: str) -> str:
    return {
        "persistence": "tab:gray",
        "default": "tab:blue",
        "book": "tab:orange",
        "garch": "tab:red",
    }.get(name, "tab:green")
