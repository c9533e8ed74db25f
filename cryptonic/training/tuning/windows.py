"""Where the search looks and where the final report looks: never the same closes.

* the **backtest window** is the one ``cryptonic backtest`` and the retrain gate use: the last
  ``BACKTEST_WEEKS`` weekly origins;
* the **tuning window** is the ``tune_weeks`` weekly origins *before* it. Every trial fits on the
  closes before the tuning window's first origin and is scored on the tuning window only: no
  close after the backtest window's first origin is ever read by the search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptonic.errors import DataError
from cryptonic.forecast.windows import DAYS_PER_WEEK
from cryptonic.training.evaluation.backtest import weekly_origins

__all__ = ["TuningWindows", "split_windows"]


@dataclass(frozen=True)
class TuningWindows:
    """Where the search looks and where the final report looks: never the same closes."""

    tune_origins: list[int]
    backtest_origins: list[int]

    @property
    def tune_end(self) -> int:
        """Index of the last close any trial reads: the first backtest origin."""
        return self.backtest_origins[0]

    def to_dict(self, dates: Sequence[dt.date]) -> dict[str, dict[str, Any]]:
        """Both windows in dates, for the report: first origin, last forecast day, weeks."""
        return {
            "tune": _window_info(dates, self.tune_origins),
            "backtest": _window_info(dates, self.backtest_origins),
        }


def split_windows(n: int, backtest_weeks: int, tune_weeks: int, min_history: int) -> TuningWindows:
    """The backtest window (the last ``backtest_weeks`` origins, as ``cryptonic backtest``) and the
    tuning window before it, whose forecast days all end by the first backtest origin."""
    backtest = weekly_origins(n, backtest_weeks)
    tune = weekly_origins(int(backtest[0]) + 1, tune_weeks)
    if tune[0] + 1 < min_history:
        raise DataError(
            f"{n} closes cannot hold {min_history} closes of training, {tune_weeks} tuning weeks "
            f"and {backtest_weeks} backtest weeks: use fewer weeks or more data"
        )
    return TuningWindows([int(i) for i in tune], [int(i) for i in backtest])


def _window_info(dates: Sequence[dt.date], origins: Sequence[int]) -> dict[str, Any]:
    return {
        "first_origin": dates[origins[0]].isoformat(),
        "last_day": dates[origins[-1] + DAYS_PER_WEEK].isoformat(),
        "weeks": len(origins),
    }
