"""What ``cryptonic runs`` shows of the run ledgers: the recent runs of each job, and one run in
full (its plan, each ticker's result or where it stands, durations, the failures' messages).

Read-only, from the ledger's objects (cryptonic.jobs.runs.ledger): the runs of the last days are
listed by their day's prefix, so the cost follows the recent runs, not the ledger's 90 days.
A ticker without a result is ``pending``, with its claim when a delivery holds or held one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cryptonic.errors import IntegrityError, NotFoundError
from cryptonic.jobs.job_outcomes import METRICS_OF
from cryptonic.jobs.runs.claim import read_claim
from cryptonic.jobs.runs.ledger import MALFORMED, Job, RunLedger, malformed
from cryptonic.store.contract import ArtifactStore

__all__ = ["format_run", "format_runs", "recent_runs", "run_detail"]


def recent_runs(
    store: ArtifactStore,
    job: Job,
    days: int,
    *,
    today: dt.date | None = None,
    ticker: str | None = None,
) -> list[dict[str, Any]]:
    """The runs of ``job`` started in the last ``days`` days (those that planned ``ticker``,
    if given), newest first: id, start, state (``ended`` with its counts, ``open`` with how
    many tickers are pending, or ``unreadable`` with the ``problem`` of a damaged ledger)."""
    ledger = RunLedger(store, job)
    last = today or dt.datetime.now(dt.UTC).date()
    rows = []
    for run_id in reversed(ledger.runs_since(last - dt.timedelta(days=days - 1), last)):
        try:
            row = _row(ledger, run_id, ticker)
        except (IntegrityError, *MALFORMED) as exc:
            why = malformed(exc, "its plan.json or summary.json")
            row = {"job": job, "run_id": run_id, "state": "unreadable", "problem": why}
        if row is not None:
            rows.append(row)
    return rows


def _row(ledger: RunLedger, run_id: str, ticker: str | None) -> dict[str, Any] | None:
    plan = ledger.plan(run_id)
    if ticker is not None and ticker not in plan["tickers"]:
        return None
    summary = ledger.summary(run_id)
    row: dict[str, Any] = {
        "job": ledger.job,
        "run_id": run_id,
        "started": plan["created"],
        "tickers": len(plan["tickers"]),
    }
    if summary is not None:
        stored = summary["counts"]
        counts = {o: stored[o] for o in METRICS_OF[ledger.job].outcomes if stored.get(o)}
        row.update(state="ended", seconds=float(summary["seconds"]), counts=counts)
    else:
        finished = ledger.finished(run_id)
        pending = sum(1 for t in plan["tickers"] if t not in finished)
        row.update(state="open", pending=pending)
    return row


def run_detail(
    store: ArtifactStore, jobs: Sequence[Job], run_id: str, *, ticker: str | None = None
) -> dict[str, Any]:
    """One run of the first of ``jobs`` that has it: its plan, summary (None while open) and
    every planned ticker's line (``ticker``'s alone, if given)."""
    for job in jobs:
        ledger = RunLedger(store, job)
        try:
            plan = ledger.plan(run_id)
        except NotFoundError:
            continue
        if ticker is not None and ticker not in plan["tickers"]:
            raise NotFoundError(f"run {run_id} did not plan {ticker}")
        return _detail(ledger, plan, [ticker] if ticker else plan["tickers"])
    raise NotFoundError(f"no {' or '.join(jobs)} run {run_id} in {store.uri}")


def _detail(ledger: RunLedger, plan: dict[str, Any], shown: list[str]) -> dict[str, Any]:
    store, run_id = ledger.store, str(plan["run_id"])
    tickers = []
    for ticker in shown:
        result = ledger.result(run_id, ticker)
        if result is not None:
            error = result.get("error") or {}
            tickers.append(
                {
                    "ticker": ticker,
                    "outcome": result["outcome"],
                    "attempt": result.get("attempt"),
                    "seconds": result.get("seconds"),
                    "reason": result.get("reason", ""),
                    "error": error.get("message") if error else None,
                }
            )
            continue
        found = read_claim(store, ledger.claim_key(run_id, ticker))
        claim = found[0] if found else None
        tickers.append(
            {
                "ticker": ticker,
                "outcome": "pending",
                "attempt": claim.attempts if claim else None,
                "seconds": None,
                "reason": f"attempt {claim.attempts} since {claim.claimed_at}" if claim else "",
                "error": None,
            }
        )
    return {"job": ledger.job, "plan": plan, "summary": ledger.summary(run_id), "tickers": tickers}


def format_runs(rows: list[dict[str, Any]]) -> str:
    """The runs as lines of text, one per run."""
    if not rows:
        return "no runs"
    lines = []
    for row in rows:
        if row["state"] == "unreadable":
            lines.append(f"{row['job']:<8} {row['run_id']:<26} unreadable: {row['problem']}")
            continue
        if row["state"] == "ended":
            counts = ", ".join(f"{n} {o}" for o, n in row["counts"].items()) or "nothing"
            state = f"ended in {row['seconds']:.0f} s: {counts}"
        else:
            state = f"open: {row['pending']} of {row['tickers']} pending"
        lines.append(f"{row['job']:<8} {row['run_id']:<26} {row['tickers']:>5} tickers  {state}")
    return "\n".join(lines)


def format_run(detail: dict[str, Any]) -> str:
    """One run as text: its headline, then one line per ticker (and its error's message)."""
    plan, summary = detail["plan"], detail["summary"]
    if summary is not None:
        state = f"ended {summary['finished']} after {summary['seconds']:.0f} s"
    else:
        state = "open"
    lines = [
        f"{detail['job']} run {plan['run_id']}: started {plan['created']}, {state}",
        f"  request: {plan.get('request') or {}}",
    ]
    for t in detail["tickers"]:
        took = f"{t['seconds']:.1f} s" if t["seconds"] is not None else "-"
        attempt = f"attempt {t['attempt']}" if t["attempt"] else ""
        lines.append(f"  {t['ticker']:<12} {t['outcome']:<12} {took:>9}  {attempt}")
        if t["reason"]:
            lines.append(f"    {t['reason']}")
        if t["error"] and t["error"] not in t["reason"]:
            lines.append(f"    error: {t['error']}")
    return "\n".join(lines)
