"""The sweeper with a local store: a run past its deadline is closed with its pending tickers
lost, reported as a normal end would be (metrics under the job's function, a notification naming
them); a live claim keeps a run open; a summary never reported is reported; orphans go."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from cryptonic.config import Settings, get_settings
from cryptonic.errors import StoreError
from cryptonic.jobs.refresh.outcomes import OUTCOME_METRICS as REFRESH_OUTCOMES
from cryptonic.jobs.retrain.outcomes import OUTCOME_METRICS as RETRAIN_OUTCOMES
from cryptonic.jobs.runs.claim import ClaimState
from cryptonic.jobs.runs.ledger import RunLedger, new_run_id
from cryptonic.jobs.sweeper import handle_sweep_invocation, sweep

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _settings(store: Any) -> Settings:
    return Settings(
        store_uri=store.uri,
        retrain_run_hours=24,
        refresh_run_hours=12,
        retrain_function_name="stack-RetrainFunction-abc",
        refresh_function_name="stack-RefreshFunction-abc",
    )


def _plan(store: Any, job: str, hours_ago: float, tickers: list[str], outcomes: Any) -> RunLedger:
    ledger = RunLedger(store, job, list(outcomes))  # type: ignore[arg-type]
    run = new_run_id(NOW - dt.timedelta(hours=hours_ago), "abc")
    ledger.write_plan(run, tickers, {})
    plan = ledger.plan(run)
    plan["created"] = (NOW - dt.timedelta(hours=hours_ago)).isoformat()
    store.put_json(ledger.key(run, "plan.json"), plan)
    return ledger


def _claim(store: Any, ledger: RunLedger, run: str, ticker: str, expires: dt.datetime) -> None:
    state = ClaimState("m1", 1, 2, (NOW - dt.timedelta(hours=20)).isoformat(), expires.isoformat())
    store.put_bytes(ledger.claim_key(run, ticker), state.to_bytes(), if_none_match="*")


def test_a_run_past_its_deadline_is_closed_and_its_lost_tickers_named(local_store, capsys):
    ledger = _plan(local_store, "refresh", 13, ["BTC-USD", "ETH-USD", "SOL-USD"], REFRESH_OUTCOMES)
    [run] = ledger.runs()
    ledger.record(run, {"ticker": "BTC-USD", "outcome": "refreshed", "error": None})
    _claim(local_store, ledger, run, "ETH-USD", NOW - dt.timedelta(hours=1))  # died
    notes: list[tuple[str, str]] = []
    done = sweep(_settings(local_store), local_store, lambda s, m: notes.append((s, m)), now=NOW)
    assert done.closed == {"refresh": [run]}
    assert done.lost == {f"refresh {run}": ["ETH-USD", "SOL-USD"]}
    summary = ledger.summary(run)
    assert summary["counts"]["lost"] == 2
    assert summary["counts"]["refreshed"] == 1
    assert summary["reported"]
    assert "attempt 2 started" in ledger.result(run, "ETH-USD")["error"]["message"]
    assert "no delivery of its job started" in ledger.result(run, "SOL-USD")["reason"]
    [(subject, message)] = notes
    assert subject == "cryptonic: 2 of 3 tickers failed to refresh"
    assert "ETH-USD: [lost]" in message
    assert "SOL-USD: [lost]" in message
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines() if "TickersLost" in x]
    assert (line["TickersLost"], line["FunctionName"]) == ([2], "stack-RefreshFunction-abc")
    assert "StaleForecasts" in line
    again = sweep(_settings(local_store), local_store, lambda s, m: notes.append((s, m)), now=NOW)
    assert again.closed == {}
    assert len(notes) == 1


def test_a_run_within_its_deadline_or_with_a_live_claim_stays_open(local_store):
    young = _plan(local_store, "retrain", 5, ["BTC-USD"], RETRAIN_OUTCOMES)
    old = _plan(local_store, "refresh", 13, ["BTC-USD"], REFRESH_OUTCOMES)
    [run] = old.runs()
    _claim(local_store, old, run, "BTC-USD", NOW + dt.timedelta(minutes=10))
    done = sweep(_settings(local_store), local_store, None, now=NOW)
    assert done.closed == {}
    assert done.waiting == {"refresh": [run]}
    assert young.summary(young.runs()[0]) is None
    assert old.summary(run) is None


def test_a_run_whose_last_writer_died_before_its_summary_or_report_is_finished(local_store):
    ledger = _plan(local_store, "retrain", 1, ["BTC-USD"], RETRAIN_OUTCOMES)
    [run] = ledger.runs()
    ledger.record(run, {"ticker": "BTC-USD", "outcome": "failed", "error": {"code": "x"}})
    notes: list[tuple[str, str]] = []
    done = sweep(_settings(local_store), local_store, lambda s, m: notes.append((s, m)), now=NOW)
    assert done.closed == {"retrain": [run]}
    assert len(notes) == 1
    # A summary written, never reported (its writer died in between): reported after a grace.
    other = _plan(local_store, "refresh", 2, ["ETH-USD"], REFRESH_OUTCOMES)
    [late] = other.runs()
    other.record(late, {"ticker": "ETH-USD", "outcome": "failed", "error": {"code": "y"}})
    assert other.summarize_if_complete(late) is not None
    sweep(_settings(local_store), local_store, lambda s, m: notes.append((s, m)), now=NOW)
    assert len(notes) == 1  # within the grace: its writer may still report it
    later = NOW + dt.timedelta(minutes=30)
    sweep(_settings(local_store), local_store, lambda s, m: notes.append((s, m)), now=later)
    assert len(notes) == 2
    assert "ETH-USD: [y]" in notes[1][1]
    assert other.summary(late)["reported"]


def test_orphaned_versions_of_recent_retrain_tickers_are_removed(local_store):
    _plan(local_store, "retrain", 30, ["BTC-USD"], RETRAIN_OUTCOMES)
    old = (NOW - dt.timedelta(days=2)).strftime("%Y%m%dT%H%M%SZ")
    orphan = f"BTC-USD/versions/{old}-abcdef1/model.tflite"
    published = f"BTC-USD/versions/{old}-abcdef2/"
    local_store.put_bytes(orphan, b"half")
    local_store.put_bytes(published + "model.tflite", b"whole")
    local_store.put_bytes(published + "manifest.json", b"{}")
    done = sweep(_settings(local_store), local_store, None, now=NOW)
    assert done.orphans == [orphan]
    assert not local_store.exists(orphan)
    assert local_store.exists(published + "model.tflite")


def test_a_damaged_run_is_named_and_the_others_are_still_swept(local_store):
    damaged = _plan(local_store, "retrain", 30, ["BTC-USD"], RETRAIN_OUTCOMES)
    [bad] = damaged.runs()
    plan_key = damaged.key(bad, "plan.json")
    local_store.put_bytes(plan_key, local_store.get_bytes(plan_key)[:20])  # half-written
    claimed = _plan(local_store, "refresh", 14, ["ETH-USD"], REFRESH_OUTCOMES)
    [torn] = claimed.runs()
    local_store.put_bytes(claimed.claim_key(torn, "ETH-USD"), b'{"message_id": "m1", "deli')
    shaped = _plan(local_store, "retrain", 26, ["ETH-USD"], RETRAIN_OUTCOMES)
    [odd] = [r for r in shaped.runs() if r != bad]
    local_store.put_json(shaped.key(odd, "summary.json"), {"x": 1})  # JSON, not a summary
    ledger = _plan(local_store, "refresh", 13, ["BTC-USD"], REFRESH_OUTCOMES)
    [good] = [r for r in ledger.runs() if r != torn]

    done = sweep(_settings(local_store), local_store, None, now=NOW)

    assert done.closed == {"refresh": [good]}
    assert done.lost == {f"refresh {good}": ["BTC-USD"]}
    assert set(done.unreadable) == {f"retrain {bad}", f"retrain {odd}", f"refresh {torn}"}
    assert done.unreadable[f"retrain {bad}"].startswith("[integrity_error] ")
    assert done.unreadable[f"retrain {odd}"] == (
        "[integrity_error] a ledger document is not as cryptonic writes it (KeyError: 'finished')"
    )
    assert (
        f"{claimed.claim_key(torn, 'ETH-USD')} is not a readable claim (JSONDecodeError)"
        in (done.unreadable[f"refresh {torn}"])
    )
    assert ledger.summary(good)["counts"]["lost"] == 1
    assert claimed.summary(torn) is None  # left as it is for a human to look at


def test_the_invocation_fails_naming_the_runs_it_could_not_sweep(local_store, monkeypatch):
    damaged = _plan(local_store, "retrain", 30, ["BTC-USD"], RETRAIN_OUTCOMES)
    [bad] = damaged.runs()
    local_store.put_bytes(damaged.key(bad, "plan.json"), b"{")
    monkeypatch.setenv("STORE_URI", local_store.uri)
    get_settings.cache_clear()
    try:
        with pytest.raises(StoreError, match=rf"1 run\(s\) could not be swept .*retrain {bad}: "):
            handle_sweep_invocation({}, None)
    finally:
        get_settings.cache_clear()
