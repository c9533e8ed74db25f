"""Charts of backtests (matplotlib, headless): what a person looks at to trust the numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cryptonic.backtest import BacktestReport


def plot_backtest(report: BacktestReport, path: Path) -> None:
    """Actual closes and each forecaster's weekly forecasts over the backtest window."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 5))
    days = np.array([d for week in report.forecast_dates for d in week], dtype="datetime64[D]")
    ax.plot(days, report.actuals.ravel(), color="black", lw=1.4, label="actual close")
    protocol = "honest"
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
    ax.set_title(f"{report.ticker}: weekly walk-forward forecasts ({report.weeks} origins)")
    ax.legend()
    fig.autofmt_xdate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def _colour(name: str) -> str:
    return {"persistence": "tab:gray", "default": "tab:blue", "book": "tab:orange"}.get(
        name, "tab:green"
    )
