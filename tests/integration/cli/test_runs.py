"""`cryptonic runs` in-process (cryptonic.cli.runs) over a local store's run ledgers: the recent
runs of each job, and one run ticker by ticker (results, pending with its attempt, errors)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

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


def _damaged(store) -> tuple[str, str]:
    """Beside _runs' runs: a retrain run whose summary is JSON of the wrong shape (a day ago) and
    one whose plan is cut short (three days ago, a day before _runs' ended one)."""
    ledger = RunLedger(store, "retrain", list(RETRAIN_OUTCOMES))
    shape = new_run_id(NOW - dt.timedelta(days=1), "shape")
    ledger.write_plan(shape, ["BTC-USD"], {})
    store.put_json(ledger.key(shape, "summary.json"), {"x": 1})
    cut = new_run_id(NOW - dt.timedelta(days=3), "cut")
    store.put_bytes(ledger.key(cut, "plan.json"), b'{"run_id": "2026')
    return shape, cut


def test_runs_lists_the_readable_runs_and_marks_the_damaged_ones(local_store, capsys):
    ended, running = _runs(local_store)
    shape, cut = _damaged(local_store)
    assert main(["runs", "--store", local_store.uri]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["retrain", shape],
        ["retrain", ended],
        ["retrain", cut],
        ["refresh", running],
    ]
    assert lines[0].endswith(
        "unreadable: its plan.json or summary.json is not as cryptonic writes it "
        "(KeyError: 'counts')"
    )
    assert "1 promoted, 1 lost" in lines[1]
    assert (
        f"unreadable: {local_store.uri}/runs/retrain/{cut}/plan.json is not valid JSON" in lines[2]
    )
    assert "Traceback" not in err
    assert main(["runs", "--store", local_store.uri, "--job", "retrain", "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert [(r["run_id"], r["state"]) for r in rows] == [
        (shape, "unreadable"),
        (ended, "ended"),
        (cut, "unreadable"),
    ]
    assert "KeyError: 'counts'" in rows[0]["problem"]


def test_runs_show_of_a_damaged_run_is_a_one_line_error(local_store, capsys):
    _, running = _runs(local_store)
    shape, _ = _damaged(local_store)
    assert main(["runs", "show", shape, "--store", local_store.uri]) == 2
    assert capsys.readouterr().err == (
        f"cryptonic: error [integrity_error]: run {shape} in {local_store.uri} is unreadable: a "
        "ledger document is not as cryptonic writes it (KeyError: 'finished')\n"
    )
    assert main(["runs", "show", shape, "--store", local_store.uri, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == {"x": 1}  # JSON shows it as it is
    claim = RunLedger(local_store, "refresh").claim_key(running, "BTC-USD")
    local_store.put_bytes(claim, b'{"message_id": "m1", "deliv')
    assert main(["runs", "show", running, "--store", local_store.uri]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cryptonic: error [integrity_error]: ")
    assert err.endswith(f"{claim} is not a readable claim (JSONDecodeError)\n")


@pytest.mark.parametrize("days", ["0", "91", "100000000", "two"])
def test_runs_days_is_1_to_the_ledgers_90(local_store, capsys, days):
    with pytest.raises(SystemExit) as exited:
        main(["runs", "--days", days, "--store", local_store.uri])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "cryptonic runs: error: argument --days: "
        f"expected a whole number from 1 to 90, got '{days}'"
    )


def test_runs_of_one_ticker_are_the_runs_that_planned_it_and_its_line(local_store, capsys):
    ended, running = _runs(local_store)
    assert main(["runs", "--store", local_store.uri, "--ticker", "eth-usd", "--json"]) == 0
    assert [row["run_id"] for row in json.loads(capsys.readouterr().out)] == [ended]
    assert main(["runs", "--store", local_store.uri, "--ticker", "BTC-USD", "--json"]) == 0
    assert [row["run_id"] for row in json.loads(capsys.readouterr().out)] == [ended, running]
    assert main(["runs", "--store", local_store.uri, "--ticker", "SOL-USD", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["runs", "show", ended, "--store", local_store.uri, "--ticker", "ETH-USD"]) == 0
    shown = capsys.readouterr().out
    assert "ETH-USD" in shown
    assert "BTC-USD" not in shown
    assert main(["runs", "show", ended, "--store", local_store.uri, "--ticker", "SOL-USD"]) == 2
    assert f"run {ended} did not plan SOL-USD" in capsys.readouterr().err
