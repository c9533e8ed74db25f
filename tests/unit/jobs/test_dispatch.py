"""The dispatch's sending rules: batches of ten, refused entries re-sent, then reported."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cryptonic.errors import ConfigError
from cryptonic.jobs.dispatch import (
    dispatch_jobs,
    job_message,
    job_of,
    retrain_options,
    run_id_of,
    send_jobs,
)
from cryptonic.jobs.retrain.queue import parse_retrain_job as parse_job
from cryptonic.jobs.retrain.request import RetrainRequest
from cryptonic.jobs.runs.ledger import new_run_id, run_started


class RefusingQueue:
    """An SQS stand-in that refuses the entries of ``refused`` tickers ``times`` times."""

    def __init__(self, refused: set[str], times: int) -> None:
        self.refused = refused
        self.left = dict.fromkeys(refused, times)
        self.calls: list[list[str]] = []

    def send_message_batch(self, *, QueueUrl: str, Entries: list[dict[str, Any]]) -> Any:
        import json

        tickers = [json.loads(e["MessageBody"])["ticker"] for e in Entries]
        self.calls.append(tickers)
        ok, failed = [], []
        for entry, ticker in zip(Entries, tickers, strict=True):
            if self.left.get(ticker, 0) > 0:
                self.left[ticker] -= 1
                failed.append({"Id": entry["Id"], "Code": "InternalError", "Message": "try again"})
            else:
                ok.append({"Id": entry["Id"]})
        return {"Successful": ok, "Failed": failed}


def _jobs(n: int) -> list[tuple[str, dict[str, Any]]]:
    request = RetrainRequest()
    return [
        (f"T{i}", job_message("20261201T060000Z-abc", f"T{i}", retrain_options(request)))
        for i in range(n)
    ]


def test_jobs_go_in_batches_of_ten_and_refused_ones_are_resent():
    queue = RefusingQueue({"T3"}, times=1)
    sent, unsent = send_jobs(queue, "url", _jobs(23), sleep=lambda _: None)
    assert [len(c) for c in queue.calls] == [10, 1, 10, 3]
    assert sorted(sent) == sorted(f"T{i}" for i in range(23))
    assert unsent == {}


def test_a_job_refused_three_times_is_reported_not_lost():
    queue = RefusingQueue({"T1"}, times=5)
    sent, unsent = send_jobs(queue, "url", _jobs(2), sleep=lambda _: None)
    assert sent == ["T0"]
    assert unsent == {"T1": "InternalError: try again"}


def test_the_dispatch_needs_a_queue(local_store):
    from cryptonic.config import Settings

    with pytest.raises(ConfigError, match="RETRAIN_QUEUE_URL is not set"):
        dispatch_jobs(None, Settings(), store=local_store, queue=RefusingQueue(set(), 0))


def test_the_run_id_comes_from_the_schedules_tick_not_its_attempt():
    tick = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    event = {"time": f"{tick:%Y-%m-%dT%H:%M:%SZ}", "id": "d32c5kdd", "source": "aws.scheduler"}
    run = run_id_of(event, "retrain")
    assert run.startswith(f"{tick:%Y%m%dT%H%M%SZ}-")
    assert run_id_of({**event, "id": "a9f0e1b2"}, "retrain") == run  # a retry: the same run
    unfilled = {**event, "time": "<aws.scheduler.scheduled-time>"}
    assert run_id_of(unfilled, "retrain") != run_id_of(unfilled, "retrain")


def test_a_scheduled_event_dated_long_ago_starts_a_fresh_run_the_sweeper_can_find(caplog):
    old = {"time": "2026-10-06T06:00:00Z", "id": "cdc73f9d", "source": "aws.scheduler"}
    first, again = run_id_of(old, "retrain"), run_id_of(old, "retrain")
    assert first != again
    for run in (first, again):
        assert abs(dt.datetime.now(dt.UTC) - run_started(run)) < dt.timedelta(minutes=1)
    assert "is no retry of today's tick" in caplog.text


def test_a_direct_invoke_is_a_fresh_run_unless_it_names_one():
    assert job_of({"job": "refresh", "tickers": ["AAPL"]}) == "refresh"
    assert job_of({"tickers": ["AAPL"]}) == job_of(None) == "retrain"
    assert run_id_of({"job": "refresh"}, "refresh") != run_id_of({"job": "refresh"}, "refresh")
    named = {"job": "refresh", "run_id": new_run_id(token="manual1")}
    assert run_id_of(named, "refresh") == run_id_of(named, "refresh") == named["run_id"]
    with pytest.raises(ConfigError, match="invalid run id"):
        run_id_of({"run_id": "../champion"}, "retrain")
    with pytest.raises(ConfigError, match="begins with when the run starts"):
        run_id_of({"run_id": "20201201T060000Z-manual1"}, "retrain")
    with pytest.raises(ConfigError, match="run_id must be a string"):
        run_id_of({"run_id": 7}, "retrain")


def test_a_schedule_names_its_job_in_its_detail():
    event = {"source": "aws.scheduler", "detail": {"job": "refresh"}}
    assert job_of(event) == "refresh"
    assert job_of({"source": "aws.events", "detail": {}}) == "retrain"
    with pytest.raises(ConfigError, match="unknown job 'tune'"):
        job_of({"source": "aws.scheduler", "detail": {"job": "tune"}})


def test_a_job_message_round_trips_and_a_bad_one_is_explained():
    import json

    body = json.dumps(
        job_message("20261201T060000Z-abc", "btc-usd", retrain_options(RetrainRequest(force=True)))
    )
    job = parse_job(body)
    assert (job.ticker, job.force, job.strategy) == ("BTC-USD", True, None)
    with pytest.raises(ConfigError, match="invalid retrain job message") as bad:
        parse_job(json.dumps({"run_id": "20261201T060000Z-abc", "ticker": "BTC-USD", "x": 1}))
    assert "expected" in str(bad.value)
    with pytest.raises(ConfigError, match="invalid run id"):
        parse_job(json.dumps({"run_id": "../x", "ticker": "BTC-USD"}))


def test_a_job_sent_by_hand_needs_no_run():
    assert parse_job('{"ticker": "aapl"}').run_id is None
