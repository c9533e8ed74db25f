"""The queue consumer's rules with a stand-in job (no SQS, no training): a failure is retried
until its last delivery, recorded then; a finished ticker is not run again; the run is reported
once, by the message that completes it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cryptonic.config import Settings
from cryptonic.jobs.consumer import TickerJob, handle_queue, parse_job
from cryptonic.jobs.run_ledger import RunLedger, new_run_id
from cryptonic.jobs.run_metrics import JobMetrics
from cryptonic.store.contract import ArtifactStore

METRICS = JobMetrics({"done": "TickersDone", "failed": "TickersFailed"}, "Refused")
RUN = new_run_id(token="abc")


class Job:
    """A refresh-shaped job whose BAD-* tickers fail; it remembers what it ran and was told."""

    def __init__(self, store: ArtifactStore) -> None:
        self.settings = Settings(store_uri=store.uri, refresh_max_receives=2)
        self.ran: list[str] = []
        self.notes: list[tuple[str, str]] = []

    def work(self, settings: Settings, store: ArtifactStore, job: TickerJob) -> dict[str, Any]:
        self.ran.append(job.ticker)
        failed = job.ticker.startswith("BAD")
        error = {"code": "bad_data", "message": "zero close"} if failed else None
        return {"ticker": job.ticker, "outcome": "failed" if failed else "done", "error": error}

    def deliver(self, body: Any, count: int = 1) -> list[dict[str, str]]:
        record = {
            "messageId": f"m{count}",
            "body": body if isinstance(body, str) else json.dumps(body),
            "attributes": {"ApproximateReceiveCount": str(count)},
            "eventSource": "aws:sqs",
        }
        answer = handle_queue(
            {"Records": [record]},
            self.settings,
            lambda subject, message: self.notes.append((subject, message)),
            job="refresh",
            parse=lambda body: parse_job(body, TickerJob, "refresh", "{}"),
            work=self.work,
            metrics=METRICS,
        )
        failures: list[dict[str, str]] = answer["batchItemFailures"]
        return failures


@pytest.fixture
def job(local_store):
    RunLedger(local_store, "refresh").write_plan(RUN, ["BTC-USD", "BAD-USD"], {})
    return Job(local_store)


def test_a_failure_is_retried_then_recorded_on_its_last_delivery(job, local_store, capsys):
    ledger = RunLedger(local_store, "refresh")
    assert job.deliver({"run_id": RUN, "ticker": "BAD-USD"}, count=1) == [{"itemIdentifier": "m1"}]
    assert ledger.result(RUN, "BAD-USD") is None  # SQS retries it
    assert job.deliver({"run_id": RUN, "ticker": "btc-usd"}) == []
    assert ledger.summary(RUN) is None
    assert job.deliver({"run_id": RUN, "ticker": "BAD-USD"}, count=2) == [{"itemIdentifier": "m2"}]
    assert ledger.result(RUN, "BAD-USD")["attempt"] == 2
    assert ledger.summary(RUN)["counts"] == {"done": 1, "failed": 1}
    [(subject, message)] = job.notes
    assert subject == "cryptonic: 1 of 2 tickers failed to refresh"
    assert "BAD-USD: [bad_data] zero close" in message
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    assert (line["TickersDone"], line["TickersFailed"]) == (1, 1)
    assert (line["run_id"], line["failed_tickers"]) == (RUN, ["BAD-USD"])


def test_a_ticker_done_in_this_run_is_not_run_again(job):
    assert job.deliver({"run_id": RUN, "ticker": "BTC-USD"}) == []
    assert job.deliver({"run_id": RUN, "ticker": "BTC-USD"}, count=2) == []
    assert job.ran == ["BTC-USD"]


def test_a_malformed_message_runs_nothing_and_is_retried(job):
    assert job.deliver({"tickr": "BTC-USD"}) == [{"itemIdentifier": "m1"}]
    assert job.deliver("not json") == [{"itemIdentifier": "m1"}]
    assert job.ran == []


def test_a_job_sent_by_hand_runs_outside_any_ledger(job, local_store):
    assert job.deliver({"ticker": "BTC-USD"}) == []
    assert job.deliver({"ticker": "BAD-USD"}, count=2) == [{"itemIdentifier": "m2"}]
    assert job.ran == ["BTC-USD", "BAD-USD"]
    assert RunLedger(local_store, "refresh").runs() == [RUN]
    assert job.notes == []
