"""The ledger of a fanned-out run (the weekly retrain, the daily refresh): its plan, each
ticker's claim and final result, one summary.

With the fan-out (cryptonic.jobs.dispatch, cryptonic.jobs.consumer) every ticker is its own job,
so no single process sees the whole run. The store does, under ``runs/<job>/<run_id>/``:

* ``plan.json``: the tickers the dispatch sent (created once: a retried or duplicated dispatch
  of the same tick joins it);
* ``claims/<TICKER>.json``: the delivery working on the ticker, its lease and how many attempts
  started (cryptonic.jobs.runs.claim);
* ``results/<TICKER>.json``: the ticker's final result, created once (``If-None-Match: *``): the
  first final result wins, a late duplicate can never overwrite "promoted";
* ``summary.json``: created (``If-None-Match: *``) by whichever invocation finds every planned
  ticker's result present, or by the sweeper that closes a run past its deadline (its pending
  tickers ``lost``). Creation succeeds exactly once, so the summary is logged, emitted as metrics
  and (on failures) announced exactly once per run, whatever the interleaving of the last few
  tickers; ``reported`` is added once it was (a crash in between is reported by the sweeper).

A run id begins with its UTC start (``20261201T060000Z-...``), so the runs of a day are listed
by one prefix. The objects are small JSON; the bucket's lifecycle rule expires ``runs/`` after
90 days.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any, Final, Literal

from cryptonic.config import normalize_ticker
from cryptonic.errors import ConfigError, ConflictError, IntegrityError, NotFoundError
from cryptonic.jobs.runs.summary import RunProgress, RunSummary, summarize
from cryptonic.store.contract import ArtifactStore

RUNS_PREFIX: Final = "runs"
RUN_ID_PATTERN: Final = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{1,12}$")
Job = Literal["retrain", "refresh"]
JOBS: Final[tuple[Job, ...]] = ("retrain", "refresh")


def new_run_id(when: dt.datetime | None = None, token: str | None = None) -> str:
    """``20261201T060000Z-1a2b3c4d``: sortable by time; the token makes two runs of one second
    distinct and every delivery of one scheduled tick the *same* run."""
    moment = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    suffix = re.sub(r"[^a-z0-9]", "", (token or uuid.uuid4().hex).lower())[:8] or "run"
    return f"{moment:%Y%m%dT%H%M%SZ}-{suffix}"


def check_run_id(value: str) -> str:
    """A run id read from a message: it becomes part of store keys, so it is checked."""
    if not RUN_ID_PATTERN.match(value):
        raise ConfigError(f"invalid run id {value!r}: expected e.g. 20261201T060000Z-1a2b3c4d")
    return value


def run_started(run_id: str) -> dt.datetime:
    """The UTC time a run id begins with."""
    return dt.datetime.strptime(check_run_id(run_id)[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


MALFORMED: Final = (KeyError, TypeError, ValueError, AttributeError)
"""What reading a ledger document of the wrong shape raises (valid JSON, not what the jobs
write): the ledgers live in a store anyone with write access can damage (a truncated upload, an
edit by hand), and one damaged run must not stop the readers of the others."""


def malformed(exc: BaseException, document: str) -> str:
    """Why ``document`` of a run cannot be read, for a person."""
    if isinstance(exc, IntegrityError):
        return str(exc)
    return f"{document} is not as cryptonic writes it ({type(exc).__name__}: {exc})"


class RunLedger:
    """Reads and writes the run objects of one job in one store."""

    def __init__(
        self, store: ArtifactStore, job: Job = "retrain", outcomes: Sequence[str] = ()
    ) -> None:
        """``outcomes``: the job's (its ``outcomes`` module's ``OUTCOME_METRICS``), in the order
        a summary counts them; a ledger that records results needs them, a reader does not."""
        self.store = store
        self.job = job
        self.outcomes = tuple(outcomes)

    def key(self, run_id: str, *parts: str) -> str:
        """The store key of one of the run's objects."""
        return "/".join([RUNS_PREFIX, self.job, check_run_id(run_id), *parts])

    def claim_key(self, run_id: str, ticker: str) -> str:
        return self.key(run_id, "claims", f"{normalize_ticker(ticker)}.json")

    def _result_key(self, run_id: str, ticker: str) -> str:
        return self.key(run_id, "results", f"{normalize_ticker(ticker)}.json")

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
            self.store.put_json(self.key(run_id, "plan.json"), plan, if_none_match="*")
        except ConflictError:
            return self.plan(run_id)["tickers"]  # type: ignore[no-any-return]
        return tickers

    def plan(self, run_id: str) -> dict[str, Any]:
        value: dict[str, Any] = self.store.get_json(self.key(run_id, "plan.json"))
        return value

    # -- results

    def result(self, run_id: str, ticker: str) -> dict[str, Any] | None:
        """The ticker's final result in this run, or None if it has none yet."""
        try:
            value: dict[str, Any] = self.store.get_json(self._result_key(run_id, ticker))
        except NotFoundError:
            return None
        return value

    def record(self, run_id: str, result: dict[str, Any]) -> bool:
        """Create a ticker's final result (``ticker`` and ``outcome`` keys required); False when
        the ticker already had one, which stays: the first final result wins."""
        if result.get("outcome") not in self.outcomes:
            raise ValueError(f"unknown outcome {result.get('outcome')!r}")
        key = self._result_key(run_id, str(result["ticker"]))
        try:
            self.store.put_json(key, result, if_none_match="*")
        except ConflictError:
            return False
        return True

    def finished(self, run_id: str) -> set[str]:
        """The tickers with a final result (one LIST, no GET)."""
        prefix = self.key(run_id, "results") + "/"
        return {
            key.rsplit("/", 1)[-1].removesuffix(".json")
            for key in self.store.list(prefix)
            if key.endswith(".json")
        }

    def progress(self, run_id: str) -> RunProgress:
        planned = list(self.plan(run_id)["tickers"])
        found = self.finished(run_id)
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
        if any(t not in self.finished(run_id) for t in planned):
            return None
        results = [self.result(run_id, t) for t in planned]
        if any(r is None for r in results):
            return None
        summary = summarize(
            self.job, plan, [r for r in results if r], self.outcomes, dt.datetime.now(dt.UTC)
        )
        try:
            self.store.put_json(
                self.key(run_id, "summary.json"), summary.to_dict(), if_none_match="*"
            )
        except ConflictError:
            return None
        return summary

    def summary(self, run_id: str) -> dict[str, Any] | None:
        try:
            value: dict[str, Any] = self.store.get_json(self.key(run_id, "summary.json"))
        except NotFoundError:
            return None
        return value

    def mark_reported(self, run_id: str) -> bool:
        """Note in ``summary.json`` that the run was reported; False when it already was (or
        another reporter got there first: compare-and-swap)."""
        key = self.key(run_id, "summary.json")
        data, etag = self.store.get_with_etag(key)
        value = json.loads(data)
        if value.get("reported"):
            return False
        value["reported"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            self.store.put_json(key, value, if_match=etag)
        except ConflictError:
            return False
        return True

    # -- listing

    def runs(self) -> list[str]:
        """Run ids with a plan, oldest first (lists every run object: prefer :meth:`runs_since`)."""
        return self._plans(f"{RUNS_PREFIX}/{self.job}/")

    def runs_since(self, first: dt.date, last: dt.date | None = None) -> list[str]:
        """Run ids started on the days ``first`` to ``last`` (today), oldest first: one LIST per
        day, of that day's runs only."""
        end = last or dt.datetime.now(dt.UTC).date()
        ids: list[str] = []
        day = first
        while day <= end:
            ids.extend(self._plans(f"{RUNS_PREFIX}/{self.job}/{day:%Y%m%d}T"))
            day += dt.timedelta(days=1)
        return ids

    def _plans(self, prefix: str) -> list[str]:
        ids = {
            key.split("/")[2]
            for key in self.store.list(prefix)
            if key.endswith("/plan.json") and len(key.split("/")) == 4
        }
        return sorted(ids)
