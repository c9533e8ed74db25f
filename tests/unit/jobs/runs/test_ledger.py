"""The run ledger: run ids, one summary per run whatever the order, pending tickers named."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.errors import ConfigError
from cryptonic.jobs.retrain.outcomes import OUTCOME_METRICS
from cryptonic.jobs.runs.ledger import RunLedger, check_run_id, new_run_id, run_started

WHEN = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)


def test_a_run_id_is_sortable_and_stable_for_one_schedule_event():
    first = new_run_id(WHEN, "7f3c6a2e-5b1d-4c8e")
    assert first == "20261201T060000Z-7f3c6a2e"
    assert new_run_id(WHEN, "7f3c6a2e-5b1d-4c8e") == first  # a retried delivery: the same run
    assert new_run_id(WHEN) != new_run_id(WHEN)  # no token: a fresh run each time
    assert check_run_id(first) == first
    assert run_started(first) == WHEN


@pytest.mark.parametrize("bad", ["", "../../champion", "20261201T060000Z-", "2026-12-01"])
def test_a_run_id_from_a_message_is_checked_before_it_names_keys(bad):
    with pytest.raises(ConfigError, match="invalid run id"):
        check_run_id(bad)


def _result(ticker: str, outcome: str) -> dict:
    error = {"code": "bad_data", "message": "zero close"} if outcome == "failed" else None
    return {"ticker": ticker, "outcome": outcome, "error": error}


def test_the_run_is_summarized_once_by_whoever_completes_it(local_store):
    ledger = RunLedger(local_store, "retrain", list(OUTCOME_METRICS))
    run = new_run_id(WHEN, "abc")
    assert ledger.write_plan(run, ["BTC-USD", "AAPL", "BAD"], {"force": False}) == [
        "BTC-USD",
        "AAPL",
        "BAD",
    ]
    ledger.record(run, _result("AAPL", "promoted"))
    assert ledger.summarize_if_complete(run) is None
    assert ledger.progress(run).pending == ["BTC-USD", "BAD"]
    ledger.record(run, _result("BAD", "failed"))
    ledger.record(run, _result("BTC-USD", "skipped"))
    summary = ledger.summarize_if_complete(run)
    assert summary is not None
    assert summary.counts == {"promoted": 1, "rejected": 0, "skipped": 1, "failed": 1, "lost": 0}
    assert summary.failed == {"BAD": {"code": "bad_data", "message": "zero close"}}
    assert summary.headline() == (
        f"retrain run {run}: 3 tickers, 1 promoted, 0 rejected, 1 skipped, 1 failed, 0 lost"
    )
    assert ledger.summarize_if_complete(run) is None  # the second finisher does not re-announce
    assert ledger.summary(run) == summary.to_dict()
    assert ledger.progress(run).pending == []
    assert ledger.mark_reported(run)
    assert not ledger.mark_reported(run)  # reported once
    assert ledger.summary(run)["reported"]


def test_the_first_final_result_wins(local_store):
    """A late duplicate can never overwrite "promoted"."""
    ledger = RunLedger(local_store, "retrain", list(OUTCOME_METRICS))
    run = new_run_id(WHEN, "abc")
    ledger.write_plan(run, ["BTC-USD"], {})
    assert ledger.record(run, _result("BTC-USD", "promoted"))
    assert not ledger.record(run, _result("BTC-USD", "failed"))
    assert ledger.result(run, "BTC-USD")["outcome"] == "promoted"


def test_lost_tickers_are_named_beside_the_failed_ones(local_store):
    ledger = RunLedger(local_store, "retrain", list(OUTCOME_METRICS))
    run = new_run_id(WHEN, "abc")
    ledger.write_plan(run, ["BTC-USD", "ETH-USD"], {})
    ledger.record(run, {"ticker": "BTC-USD", "outcome": "lost", "error": None})
    ledger.record(run, _result("ETH-USD", "promoted"))
    summary = ledger.summarize_if_complete(run)
    assert summary.counts["lost"] == 1
    assert summary.failed == {"BTC-USD": {"code": "lost", "message": "failed"}}


def test_runs_are_listed_by_the_days_they_started(local_store):
    ledger = RunLedger(local_store, "refresh", [])
    days = [WHEN - dt.timedelta(days=d) for d in (3, 1, 0)]
    runs = [new_run_id(day, "abc") for day in days]
    for run in runs:
        ledger.write_plan(run, ["BTC-USD"], {})
    RunLedger(local_store, "retrain").write_plan(new_run_id(WHEN, "x"), ["BTC-USD"], {})
    assert ledger.runs_since(WHEN.date() - dt.timedelta(days=1), WHEN.date()) == runs[1:]
    assert ledger.runs() == runs


def test_a_retried_dispatch_keeps_the_first_plan(local_store):
    ledger = RunLedger(local_store, "retrain", list(OUTCOME_METRICS))
    run = new_run_id(WHEN, "abc")
    ledger.write_plan(run, ["BTC-USD"], {})
    assert ledger.write_plan(run, ["BTC-USD", "AAPL"], {}) == ["BTC-USD"]
    assert ledger.runs() == [run]


def test_an_unknown_outcome_is_refused(local_store):
    ledger = RunLedger(local_store, "retrain", list(OUTCOME_METRICS))
    run = new_run_id(WHEN, "abc")
    ledger.write_plan(run, ["BTC-USD"], {})
    with pytest.raises(ValueError, match="unknown outcome 'done'"):
        ledger.record(run, {"ticker": "BTC-USD", "outcome": "done"})
