"""`cryptonic runs` in-process (cryptonic.cli.runs) over a local store's run ledgers: the recent
runs of each job, and one run ticker by ticker (results, pending with its attempt, errors)."""

from __future__ import annotations

import datetime as dt
import json

from cryptonic.cli.main import main
from cryptonic.jobs.refresh.outcomes import OUTCOME_METRICS as REFRESH_OUTCOMES
from cryptonic.jobs.retrain.outcomes import OUTCOME_METRICS as RETRAIN_OUTCOMES
from cryptonic.jobs.runs.claim import Delivery, acquire
from cryptonic.jobs.runs.ledger import RunLedger, new_run_id

NOW = dt.datetime.now(dt.UTC)


def _promoted(ticker: str) -> dict:
    return {
        "ticker": ticker,
        "outcome": "promoted",
        "seconds": 21.5,
        "reason": "beats the champion",
        "error": None,
        "attempt": 1,
    }


def _failed(ticker: str, outcome: str, message: str) -> dict:
    return {
        "ticker": ticker,
        "outcome": outcome,
        "reason": f"{outcome}: {message}",
        "error": {"code": outcome, "message": message},
    }


def _runs(store) -> tuple[str, str]:
    retrain = RunLedger(store, "retrain", list(RETRAIN_OUTCOMES))
    ended = new_run_id(NOW - dt.timedelta(days=2), "weekly")
    retrain.write_plan(ended, ["BTC-USD", "ETH-USD"], {"force": False})
    retrain.record(ended, _promoted("BTC-USD"))
    retrain.record(ended, _failed("ETH-USD", "lost", "never ran"))
    assert retrain.summarize_if_complete(ended) is not None
    refresh = RunLedger(store, "refresh", list(REFRESH_OUTCOMES))
    running = new_run_id(NOW, "daily")
    refresh.write_plan(running, ["BTC-USD", "AAPL"], {})
    refresh.record(running, _failed("AAPL", "failed", "a zero close on 2026-12-01"))
    claim = refresh.claim_key(running, "BTC-USD")
    acquire(store, claim, Delivery("m1", 1), lease_seconds=60, max_attempts=2)
    return ended, running


def test_runs_lists_each_jobs_recent_runs(local_store, capsys):
    ended, running = _runs(local_store)
    assert main(["runs", "--store", local_store.uri]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["retrain", ended]
    assert "ended in" in lines[0]
    assert "1 promoted, 1 lost" in lines[0]
    assert lines[1].split()[:2] == ["refresh", running]
    assert "open: 1 of 2 pending" in lines[1]
    assert main(["runs", "--store", local_store.uri, "--job", "refresh", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["run_id"], row["state"], row["pending"]) == (running, "open", 1)


def test_runs_show_tells_each_tickers_result_and_what_is_pending(local_store, capsys):
    ended, running = _runs(local_store)
    assert main(["runs", "show", running, "--store", local_store.uri]) == 0
    out = capsys.readouterr().out
    assert f"refresh run {running}" in out
    assert ", open" in out
    [aapl] = [line for line in out.splitlines() if line.strip().startswith("AAPL")]
    assert "failed" in aapl
    assert "a zero close on 2026-12-01" in out
    [btc] = [line for line in out.splitlines() if line.strip().startswith("BTC-USD")]
    assert "pending" in btc
    assert "attempt 1" in btc
    assert main(["runs", "show", ended, "--store", local_store.uri, "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert detail["summary"]["counts"]["lost"] == 1
    outcomes = {t["ticker"]: (t["outcome"], t["seconds"]) for t in detail["tickers"]}
    assert outcomes == {"BTC-USD": ("promoted", 21.5), "ETH-USD": ("lost", None)}


def test_runs_show_names_what_is_missing(local_store, capsys):
    assert main(["runs", "show", "20261201T060000Z-nothing", "--store", local_store.uri]) == 2
    assert "no retrain or refresh run 20261201T060000Z-nothing" in capsys.readouterr().err
    assert main(["runs", "show", "--store", local_store.uri]) == 2
    assert "needs a run id" in capsys.readouterr().err
