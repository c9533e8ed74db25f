"""The ledger of a fanned-out run (the weekly retrain, the daily refresh): its plan, each
ticker's final result, one summary.

With the fan-out (cryptonic.jobs.dispatch, cryptonic.jobs.consumer) every ticker is its own job,
so no single process sees the whole run. The store does, under ``runs/<job>/<run_id>/``:

* ``plan.json``: the tickers the dispatch sent (created once);
* ``results/<TICKER>.json``: the ticker's final result, written by the invocation that
  finished it (an outcome, or its failure on the last delivery);
* ``summary.json``: created (``If-None-Match: *``) by whichever invocation
  finds every planned ticker's result present. Creation succeeds exactly once, so the summary is
  logged, emitted as metrics and (on failures) announced exactly once per run, whatever the
  interleaving of the last few tickers.

A ticker whose last delivery crashed (timeout, out of memory) writes no result: its message is in
the dead-letter queue (which pages), and ``pending`` in :func:`RunLedger.progress` names it.
The objects are small JSON; the bucket's lifecycle rule expires ``runs/`` after 90 days.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from cryptonic.config import normalize_ticker
from cryptonic.errors import ConfigError, ConflictError, NotFoundError
from cryptonic.store.contract import ArtifactStore

RUNS_PREFIX: Final = "runs"
RUN_ID_PATTERN: Final = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{1,12}$")
Job = Literal["retrain", "refresh"]


def new_run_id(when: dt.datetime | None = None, token: str | None = None) -> str:
    """``20261201T060000Z-1a2b3c4d``: sortable by time; the token makes two runs of one second
    distinct and a retried delivery of the same schedule event the *same* run."""
    moment = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    suffix = re.sub(r"[^a-z0-9]", "", (token or uuid.uuid4().hex).lower())[:8] or "run"
    return f"{moment:%Y%m%dT%H%M%SZ}-{suffix}"


def check_run_id(value: str) -> str:
    """A run id read from a message: it becomes part of store keys, so it is checked."""
    if not RUN_ID_PATTERN.match(value):
        raise ConfigError(f"invalid run id {value!r}: expected e.g. 20261201T060000Z-1a2b3c4d")
    return value


@dataclass(frozen=True)
class RunSummary:
    """What a finished run did, counted once."""

    job: str
    run_id: str
    tickers: int
    counts: dict[str, int]
    failed: dict[str, dict[str, str]]
    started: str
    finished: str
    seconds: float
    results: list[dict[str, Any]] = field(default_factory=list, repr=False)
    """Every ticker's final result (not stored in summary.json: they have their own objects)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "run_id": self.run_id,
            "tickers": self.tickers,
            "counts": self.counts,
            "failed": self.failed,
            "started": self.started,
            "finished": self.finished,
            "seconds": self.seconds,
        }

    def headline(self) -> str:
        """One line for the log and the alarm notification's subject."""
        counts = ", ".join(f"{n} {o.replace('_', ' ')}" for o, n in self.counts.items())
        return f"{self.job} run {self.run_id}: {self.tickers} tickers, {counts}"


@dataclass(frozen=True)
class RunProgress:
    """Where a run stands: planned tickers, those with a final result, those still pending."""

    run_id: str
    planned: list[str]
    done: dict[str, str] = field(default_factory=dict)

    @property
    def pending(self) -> list[str]:
        return [t for t in self.planned if t not in self.done]


class RunLedger:
    """Reads and writes the run objects of one store."""

    def __init__(
        self, store: ArtifactStore, job: Job = "retrain", outcomes: Sequence[str] = ()
    ) -> None:
        """``outcomes``: the job's (its ``outcomes`` module's ``OUTCOME_METRICS``), in the order
        a summary counts them; a ledger that records results needs them, a reader does not."""
        self.store = store
        self.job = job
        self.outcomes = tuple(outcomes)

    def _key(self, run_id: str, *parts: str) -> str:
        return "/".join([RUNS_PREFIX, self.job, check_run_id(run_id), *parts])

    # -- the plan

    def write_plan(self, run_id: str, tickers: list[str], request: dict[str, Any]) -> list[str]:
        """Create the plan; a plan already there (a retried dispatch) wins and is returned."""
        plan = {
            "run_id": run_id,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tickers": tickers,
            "request": request,
        }
        try:
            self.store.put_json(self._key(run_id, "plan.json"), plan, if_none_match="*")
        except ConflictError:
            return self.plan(run_id)["tickers"]  # type: ignore[no-any-return]
        return tickers

    def plan(self, run_id: str) -> dict[str, Any]:
        value: dict[str, Any] = self.store.get_json(self._key(run_id, "plan.json"))
        return value

    # -- results

    def result(self, run_id: str, ticker: str) -> dict[str, Any] | None:
        """The ticker's final result in this run, or None if it has none yet."""
        try:
            value: dict[str, Any] = self.store.get_json(
                self._key(run_id, "results", f"{normalize_ticker(ticker)}.json")
            )
        except NotFoundError:
            return None
        return value

    def record(self, run_id: str, result: dict[str, Any]) -> None:
        """Store a ticker's final result (``ticker`` and ``outcome`` keys required)."""
        if result.get("outcome") not in self.outcomes:
            raise ValueError(f"unknown outcome {result.get('outcome')!r}")
        ticker = normalize_ticker(str(result["ticker"]))
        self.store.put_json(self._key(run_id, "results", f"{ticker}.json"), result)

    def progress(self, run_id: str) -> RunProgress:
        planned = list(self.plan(run_id)["tickers"])
        prefix = self._key(run_id, "results") + "/"
        found = {
            key.rsplit("/", 1)[-1].removesuffix(".json")
            for key in self.store.list(prefix)
            if key.endswith(".json")
        }
        done = {}
        for ticker in planned:
            if ticker in found:
                result = self.result(run_id, ticker)
                if result is not None:
                    done[ticker] = str(result["outcome"])
        return RunProgress(run_id=run_id, planned=planned, done=done)

    # -- the summary

    def summarize_if_complete(self, run_id: str) -> RunSummary | None:
        """The run's summary if this call completed it: every planned ticker has a result and
        this process created ``summary.json``. None otherwise (pending tickers, or another
        invocation summarized first, or no plan: a job sent by hand with a made-up run id)."""
        try:
            plan = self.plan(run_id)
        except NotFoundError:
            return None
        planned = list(plan["tickers"])
        prefix = self._key(run_id, "results") + "/"
        present = {k.rsplit("/", 1)[-1].removesuffix(".json") for k in self.store.list(prefix)}
        if any(t not in present for t in planned):
            return None
        results = [self.result(run_id, t) for t in planned]
        if any(r is None for r in results):
            return None
        counts = Counter(str(r["outcome"]) for r in results if r is not None)
        failed = {
            str(r["ticker"]): dict(r.get("error") or {"code": "error", "message": "failed"})
            for r in results
            if r is not None and r["outcome"] == "failed"
        }
        started = dt.datetime.fromisoformat(str(plan["created"]))
        now = dt.datetime.now(dt.UTC)
        summary = RunSummary(
            job=self.job,
            run_id=run_id,
            tickers=len(planned),
            counts={o: counts.get(o, 0) for o in self.outcomes},
            failed=failed,
            started=started.isoformat(timespec="seconds"),
            finished=now.isoformat(timespec="seconds"),
            seconds=round((now - started).total_seconds(), 1),
            results=[r for r in results if r is not None],
        )
        try:
            self.store.put_json(
                self._key(run_id, "summary.json"), summary.to_dict(), if_none_match="*"
            )
        except ConflictError:
            return None
        return summary

    def summary(self, run_id: str) -> dict[str, Any] | None:
        try:
            value: dict[str, Any] = self.store.get_json(self._key(run_id, "summary.json"))
        except NotFoundError:
            return None
        return value

    def runs(self) -> list[str]:
        """Run ids with a plan, oldest first."""
        ids = {
            key.split("/")[2]
            for key in self.store.list(f"{RUNS_PREFIX}/{self.job}/")
            if key.endswith("/plan.json") and len(key.split("/")) == 4
        }
        return sorted(ids)
