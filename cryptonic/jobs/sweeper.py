"""The sweeper: every run ends, and a crashed publish leaves nothing behind for long.

A fanned-out run ends when its last ticker records a result. When a ticker's last delivery dies
(a timeout, out of memory, a throttle that outlived the message) nothing ever records one: no
summary, no ``TickersFailed``, no notification. So a small scheduled function (the
``SweepFunction``, hourly, on the retrain image with its own command like the dispatch; not
the next dispatch, which for the retrain comes a week later, and which should not need delete
rights on model versions) closes every run older than its deadline:

* the deadline is the job's queue's message retention (``RETRAIN_RUN_HOURS``,
  ``REFRESH_RUN_HOURS``): past it no job of the run can still be delivered;
* each pending ticker becomes ``lost`` (create-only, so a result that lands first wins), unless
  a live claim says a delivery may still be working on it: then the run waits for the next sweep;
* the run is summarized, reported (metrics under the job's function, where its alarms look,
  and a notification naming the lost tickers) and marked reported, exactly as a normal end;
* a run whose every ticker has a result but no summary (the last invocation died in between)
  is summarized at once, and a summary never reported is reported.

Then the orphans: versions without a manifest made more than a day ago (a publish that crashed
between its artifacts and its manifest) are removed from the tickers of the recent retrain runs
(cryptonic.registry.registry.Registry.remove_unpublished); a version a manifest names never is.
An S3 lifecycle rule cannot do this: it cannot tell whether a version has a manifest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from cryptonic.config import Settings, get_settings
from cryptonic.errors import CryptonicError, StoreError
from cryptonic.jobs.aws.cloudwatch import put_metrics
from cryptonic.jobs.aws.context import time_left_of
from cryptonic.jobs.aws.logger import run_keys
from cryptonic.jobs.job_outcomes import METRICS_OF
from cryptonic.jobs.runs.claim import ClaimState, read_claim
from cryptonic.jobs.runs.ledger import JOBS, MALFORMED, Job, RunLedger, malformed
from cryptonic.jobs.runs.report import Notifier, report_run, sns_notifier
from cryptonic.jobs.runs.summary import RunSummary, summarize
from cryptonic.registry.registry import Registry
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.deadline import deadline
from cryptonic.store.uri import open_store

log = logging.getLogger("cryptonic.sweeper")

ORPHAN_AGE: Final = dt.timedelta(days=1)
"""A version without a manifest older than this is a crashed publish, not one in progress."""
LOOKBACK: Final = dt.timedelta(days=2)
"""How far past its deadline a run is still looked at (a live claim, a sweep that failed)."""
REPORT_GRACE: Final = dt.timedelta(minutes=15)
"""A summary not marked reported this long after it was written was never reported."""


@dataclass
class Sweep:
    """What one sweep did."""

    closed: dict[str, list[str]] = field(default_factory=dict)
    """Run ids closed by this sweep, per job."""
    waiting: dict[str, list[str]] = field(default_factory=dict)
    """Runs past their deadline left open: a delivery's claim is still live."""
    lost: dict[str, list[str]] = field(default_factory=dict)
    """``<job> <run_id>`` -> the tickers recorded lost."""
    orphans: list[str] = field(default_factory=list)
    """Keys of unpublished versions removed."""
    unreadable: dict[str, str] = field(default_factory=dict)
    """``<job> <run_id>`` -> why the run could not be swept (a ledger file damaged by hand): the
    other runs are swept all the same, and the invocation then fails naming these."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "closed": self.closed,
            "waiting": self.waiting,
            "lost": self.lost,
            "orphans": len(self.orphans),
            "unreadable": self.unreadable,
        }


@dataclass(frozen=True)
class _JobSweep:
    """One job's part of a sweep."""

    ledger: RunLedger
    run_hours: float
    report: Callable[[RunSummary], None]
    now: dt.datetime


def sweep(
    settings: Settings,
    store: ArtifactStore,
    notify: Notifier | None,
    *,
    now: dt.datetime | None = None,
) -> Sweep:
    """Close the runs past their deadline, report the unreported, remove orphaned versions."""
    moment = now or dt.datetime.now(dt.UTC)
    done = Sweep()
    recent: set[str] = set()
    for job in JOBS:
        part = _JobSweep(
            RunLedger(store, job, list(METRICS_OF[job].outcomes)),
            settings.retrain_run_hours if job == "retrain" else settings.refresh_run_hours,
            _reporter(job, settings, notify),
            moment,
        )
        first = (moment - dt.timedelta(hours=part.run_hours) - LOOKBACK).date()
        for run_id in part.ledger.runs_since(first, moment.date()):
            with run_keys(run_id):
                try:
                    plan = part.ledger.plan(run_id)
                    if job == "retrain":
                        recent.update(plan["tickers"])
                    _sweep_run(part, plan, done)
                except (CryptonicError, *MALFORMED) as exc:  # one damaged run: not the others
                    code = exc.code if isinstance(exc, CryptonicError) else "integrity_error"
                    why = f"[{code}] {malformed(exc, 'a ledger document')}"
                    log.error("sweep: %s run %s not swept: %s", job, run_id, why)
                    done.unreadable[f"{job} {run_id}"] = why
    registry = Registry(store)
    for ticker in sorted(recent):
        done.orphans.extend(registry.remove_unpublished(ticker, moment - ORPHAN_AGE))
    return done


def _reporter(
    job: Job, settings: Settings, notify: Notifier | None
) -> Callable[[RunSummary], None]:
    """Reports a run of ``job`` as its own function would (its metrics under its name)."""
    name = settings.retrain_function_name if job == "retrain" else settings.refresh_function_name

    def report(summary: RunSummary) -> None:
        report_run(summary, METRICS_OF[job], notify, function_name=name)

    return report


def _sweep_run(part: _JobSweep, plan: dict[str, Any], done: Sweep) -> None:
    """One run: report it if it ended unreported, close it if it is past its deadline."""
    ledger, run_id = part.ledger, str(plan["run_id"])
    stored = ledger.summary(run_id)
    if stored is not None:
        _report_unreported(part, plan, stored)
        return
    started = dt.datetime.fromisoformat(str(plan["created"]))
    finished = ledger.finished(run_id)
    pending = [t for t in plan["tickers"] if t not in finished]
    if pending and part.now - started < dt.timedelta(hours=part.run_hours):
        return  # still within its deadline: its jobs may yet be delivered
    waiting = False
    lost: list[str] = []
    for ticker in pending:
        found = read_claim(ledger.store, ledger.claim_key(run_id, ticker))
        claim = found[0] if found is not None else None
        if claim is not None and claim.live(part.now):
            waiting = True
            continue
        if ledger.record(run_id, lost_result(ledger.job, ticker, claim)):
            lost.append(ticker)
    if lost:
        done.lost[f"{ledger.job} {run_id}"] = lost
    if waiting:
        done.waiting.setdefault(ledger.job, []).append(run_id)
        return
    summary = ledger.summarize_if_complete(run_id)
    if summary is not None:
        part.report(summary)
        ledger.mark_reported(run_id)
        done.closed.setdefault(ledger.job, []).append(run_id)


def _report_unreported(part: _JobSweep, plan: dict[str, Any], stored: dict[str, Any]) -> None:
    """A summary written but never reported (its writer died in between): report it once."""
    finished = dt.datetime.fromisoformat(str(stored["finished"]))
    if stored.get("reported") or part.now - finished < REPORT_GRACE:
        return
    ledger = part.ledger
    run_id = str(plan["run_id"])
    if not ledger.mark_reported(run_id):
        return  # another sweep took it
    results = [r for t in plan["tickers"] if (r := ledger.result(run_id, t)) is not None]
    part.report(summarize(ledger.job, plan, results, ledger.outcomes, finished))


def lost_result(job: str, ticker: str, claim: ClaimState | None) -> dict[str, Any]:
    """The final result of a ticker that never recorded one by its run's deadline."""
    if claim is None:
        why = (
            "no delivery of its job started before the run's deadline (never delivered, "
            "throttled until the message expired, or dead-lettered: see the dead-letter queue)"
        )
    else:
        why = (
            f"its attempt {claim.attempts} started {claim.claimed_at} and never finished (timed "
            f"out, ran out of memory or crashed: see the {job} function's log)"
        )
    return {
        "ticker": ticker,
        "outcome": "lost",
        "reason": f"lost: {why}",
        "error": {"code": "lost", "message": why},
        "attempt": claim.attempts if claim else 0,
    }


def handle_sweep_invocation(event: Any, context: Any = None) -> dict[str, Any]:
    """The sweeper Lambda: one sweep within the invocation's time, its counts as metrics."""
    settings = get_settings()
    store = open_store(settings.store_uri)
    left = time_left_of(context)()
    with deadline(None if left is None else left - 5.0):
        done = sweep(settings, store, sns_notifier(settings.alarm_topic_arn))
    put_metrics(
        {
            "RunsClosed": sum(len(v) for v in done.closed.values()),
            "RunsWaiting": sum(len(v) for v in done.waiting.values()),
            "OrphansRemoved": len(done.orphans),
            "RunsUnreadable": len(done.unreadable),
        },
        properties={"sweep": done.to_dict()},
    )
    log.info("sweep: %s", done.to_dict(), extra={"sweep": done.to_dict()})
    if done.unreadable:  # fail the invocation, so SweepFailedAlarm fires and names them
        runs = "; ".join(f"{run}: {why}" for run, why in done.unreadable.items())
        raise StoreError(
            f"{len(done.unreadable)} run(s) could not be swept (the others were): {runs}"
        )
    return done.to_dict()
