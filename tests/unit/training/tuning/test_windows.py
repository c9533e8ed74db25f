"""The nested windows: the search never reads a close of the backtest window."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.errors import DataError
from cryptonic.training.evaluation.backtest import weekly_origins
from cryptonic.training.tuning.windows import split_windows


@pytest.mark.parametrize(("n", "backtest", "tune"), [(4400, 52, 52), (600, 3, 10), (300, 3, 3)])
def test_the_search_never_reads_a_close_of_the_backtest_window(n, backtest, tune):
    windows = split_windows(n, backtest, tune, min_history=100)
    # The backtest window is cryptonic backtest's (and the gate's) own.
    assert windows.backtest_origins == list(weekly_origins(n, backtest))
    assert len(windows.tune_origins) == tune
    # Every tuning forecast day, hence every close a trial reads, is at most the first
    # backtest origin: the last close the final backtest's fit is allowed to see.
    assert windows.tune_origins[-1] + 7 <= windows.backtest_origins[0] == windows.tune_end
    assert windows.tune_origins[0] >= 100 - 1


def test_windows_that_do_not_fit_are_a_data_error():
    with pytest.raises(DataError, match="tuning weeks"):
        split_windows(300, 10, 20, min_history=100)


def test_the_windows_in_dates_end_the_tuning_window_by_the_backtest_window():
    dates = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(300)]
    windows = split_windows(300, 3, 3, min_history=100)
    info = windows.to_dict(dates)
    assert info["tune"]["weeks"] == info["backtest"]["weeks"] == 3
    assert info["tune"]["first_origin"] == dates[windows.tune_origins[0]].isoformat()
    assert info["backtest"]["last_day"] == dates[-1].isoformat()
    assert info["tune"]["last_day"] <= info["backtest"]["first_origin"]
