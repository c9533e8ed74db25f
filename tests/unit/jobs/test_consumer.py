"""The queue consumer's rules with a stand-in job (no SQS, no training): a ticker is claimed
before it runs and runs once per run; a failure is retried until the run's attempts are spent
(counted by the claim, not by SQS's receive count), recorded then; the run is reported once, by
the message that completes it; one bad message fails only itself."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cryptonic.config import Settings
from cryptonic.jobs.consumer import TickerJob, handle_queue, parse_job
from cryptonic.jobs.runs.claim import Claim, ClaimState
from cryptonic.jobs.runs.ledger import RunLedger, new_run_id
from cryptonic.jobs.runs.metrics import JobMetrics
from cryptonic.store.contract import ArtifactStore


def _per_invocation(results: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, Any]]:
    return {"TickersRun": len(results)}, {}


METRICS = JobMetrics(
    {"done": "TickersDone", "failed": "TickersFailed", "lost": "TickersLost"},
    "Refused",
    invocation=_per_invocation,
)
RUN = new_run_id(token="abc")


class Context:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


class Job:
    """A refresh-shaped job whose BAD-* tickers fail; it remembers what it ran and was told."""

    def __init__(self, store: ArtifactStore) -> None:
        self.settings = Settings(store_uri=store.uri, refresh_max_receives=5)
        self.ran: list[str] = []
        self.claims: list[Claim | None] = []
        self.notes: list[tuple[str, str]] = []

    def work(
        self, settings: Settings, store: ArtifactStore, job: TickerJob, claim: Claim | None
    ) -> dict[str, Any]:
        self.ran.append(job.ticker)
        self.claims.append(claim)
        if job.ticker.startswith("CRASH"):
            raise RuntimeError("a bug the job did not catch")
        failed = job.ticker.startswith("BAD")
        error = {"code": "bad_data", "message": "zero close"} if failed else None
        return {"ticker": job.ticker, "outcome": "failed" if failed else "done", "error": error}

    def deliver(
        self, *bodies: Any, count: int = 1, message: str = "m", context: Any = None
    ) -> list[str]:
        records = [
            {
                "messageId": f"{message}{i}",
                "body": body if isinstance(body, str) else json.dumps(body),
                "attributes": {"ApproximateReceiveCount": str(count)},
                "eventSource": "aws:sqs",
            }
            for i, body in enumerate(bodies)
        ]
        answer = handle_queue(
            {"Records": records},
            self.settings,
            lambda subject, message: self.notes.append((subject, message)),
            job="refresh",
            parse=lambda body: parse_job(body, TickerJob, "refresh", "{}"),
            work=self.work,
            metrics=METRICS,
            context=context,
        )
        return [f["itemIdentifier"] for f in answer["batchItemFailures"]]


@pytest.fixture
def job(local_store):
    RunLedger(local_store, "refresh").write_plan(RUN, ["BTC-USD", "BAD-USD"], {})
    return Job(local_store)


def _emf(out: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in out.splitlines() if '"_aws"' in x]


def test_a_failure_is_retried_then_recorded_when_its_attempts_are_spent(job, local_store, capsys):
    ledger = RunLedger(local_store, "refresh")
    assert job.deliver({"run_id": RUN, "ticker": "BAD-USD"}, count=1) == ["m0"]
    assert ledger.result(RUN, "BAD-USD") is None  # SQS retries it: attempt 1 of 2
    assert job.deliver({"run_id": RUN, "ticker": "btc-usd"}) == []
    assert ledger.summary(RUN) is None
    # The retry is the same message's next delivery; SQS's count does not decide, attempts do.
    assert job.deliver({"run_id": RUN, "ticker": "BAD-USD"}, count=2) == []
    assert ledger.result(RUN, "BAD-USD")["attempt"] == 2
    assert ledger.summary(RUN)["counts"] == {"done": 1, "failed": 1, "lost": 0}
    assert ledger.summary(RUN)["reported"]
    [(subject, message)] = job.notes
    assert subject == "cryptonic: 1 of 2 tickers failed to refresh"
    assert "BAD-USD: [bad_data] zero close" in message
    lines = _emf(capsys.readouterr().out)
    [run] = [x for x in lines if "TickersDone" in x]
    assert (run["TickersDone"], run["TickersFailed"]) == ([1], [1])  # EMF: a list of values
    assert (run["run_id"], run["failed_tickers"]) == (RUN, ["BAD-USD"])
    assert [x["TickersRun"] for x in lines if "TickersRun" in x] == [[1], [1], [1]]  # each call


def test_a_ticker_done_in_this_run_is_not_run_again(job):
    assert job.deliver({"run_id": RUN, "ticker": "BTC-USD"}) == []
    assert job.deliver({"run_id": RUN, "ticker": "BTC-USD"}, count=2) == []
    assert job.deliver({"run_id": RUN, "ticker": "BTC-USD"}, message="duplicate") == []
    assert job.ran == ["BTC-USD"]
    assert job.claims[0] is not None
    assert job.claims[0].attempts == 1


def test_a_live_claim_of_another_message_makes_a_duplicate_back_off(job, local_store):
    ledger = RunLedger(local_store, "refresh")
    key = ledger.claim_key(RUN, "BTC-USD")
    holder = ClaimState("other", 1, 1, "2026-12-01T06:00:00+00:00", "2999-01-01T00:00:00+00:00")
    local_store.put_bytes(key, holder.to_bytes(), if_none_match="*")
    assert job.deliver({"run_id": RUN, "ticker": "BTC-USD"}, count=1) == ["m0"]  # later
    assert job.deliver({"run_id": RUN, "ticker": "BTC-USD"}, count=5) == []  # left to it
    assert job.ran == []
    assert ledger.result(RUN, "BTC-USD") is None


def test_attempts_that_all_died_are_recorded_not_tried_a_third_time(job, local_store):
    """Each delivery claimed the ticker and died (no release, no result): the claim knows."""
    ledger = RunLedger(local_store, "refresh")
    key = ledger.claim_key(RUN, "BTC-USD")
    dead = ClaimState("m0", 2, 2, "2026-12-01T06:00:00+00:00", "2999-01-01T00:00:00+00:00")
    local_store.put_bytes(key, dead.to_bytes(), if_none_match="*")
    assert job.deliver({"run_id": RUN, "ticker": "BTC-USD"}, count=3) == []
    assert job.ran == []
    result = ledger.result(RUN, "BTC-USD")
    assert (result["outcome"], result["error"]["code"], result["attempt"]) == (
        "failed",
        "crashed",
        2,
    )


def test_one_bad_message_fails_only_itself(job, local_store):
    nested = '{"ticker": "BTC-USD", "x": ' + "[" * 50_000 + "]" * 50_000 + "}"
    failed = job.deliver(
        {"tickr": "BTC-USD"},
        "not json",
        nested,
        {"run_id": RUN, "ticker": "CRASH-USD"},
        {"run_id": RUN, "ticker": "BTC-USD"},
    )
    assert failed == ["m0", "m1", "m2", "m3"]
    assert job.ran == ["CRASH-USD", "BTC-USD"]
    assert RunLedger(local_store, "refresh").result(RUN, "BTC-USD")["outcome"] == "done"


def test_one_bad_record_in_a_batch_fails_that_record_only(job, local_store):
    failed = job.deliver({"run_id": RUN, "ticker": "BTC-USD"}, {"tickr": "BTC-USD"})
    assert failed == ["m1"]
    assert RunLedger(local_store, "refresh").result(RUN, "BTC-USD")["outcome"] == "done"


def test_a_batch_whose_every_record_fails_is_answered_not_raised(job):
    """Powertools' batch utility raises for an all-failed batch unless told: a raise would be a
    Lambda error (a page) for what is only a retry of each message."""
    assert job.deliver("not json", {"run_id": RUN, "ticker": "CRASH-USD"}) == ["m0", "m1"]


def test_a_ticker_starts_only_with_the_time_to_finish(job, local_store):
    assert job.deliver({"run_id": RUN, "ticker": "BTC-USD"}, context=Context(30)) == ["m0"]
    assert job.ran == []
    assert not local_store.exists(RunLedger(local_store, "refresh").claim_key(RUN, "BTC-USD"))
    assert job.deliver({"run_id": RUN, "ticker": "BTC-USD"}, context=Context(300)) == []
    assert job.ran == ["BTC-USD"]


def test_a_job_sent_by_hand_runs_outside_any_ledger(job, local_store):
    assert job.deliver({"ticker": "BTC-USD"}) == []
    assert job.deliver({"ticker": "BAD-USD"}, count=2) == ["m0"]
    assert job.deliver({"ticker": "BAD-USD"}, count=5) == ["m0"]  # dead-lettered: no ledger
    assert job.ran == ["BTC-USD", "BAD-USD", "BAD-USD"]
    assert job.claims == [None, None, None]
    assert RunLedger(local_store, "refresh").runs() == [RUN]
    assert job.notes == []
