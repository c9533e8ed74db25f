"""What a finished run did (:class:`RunSummary`, counted once) and where an open run stands
(:class:`RunProgress`): the values the run ledger stores, the report announces and
``cryptonic runs`` shows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

UNFINISHED: Final = ("failed", "lost")
"""The outcomes the on-call is told about by name: a ticker that failed, or whose work died
without a result (``lost``: never delivered, or its last attempt crashed)."""


@dataclass(frozen=True)
class RunSummary:
    """What a finished run did, counted once."""

    job: str
    run_id: str
    tickers: int
    counts: dict[str, int]
    failed: dict[str, dict[str, str]]
    """Each failed or lost ticker's error (``{"code", "message"}``): the notification's lines."""
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


def summarize(
    job: str,
    plan: dict[str, Any],
    results: Sequence[dict[str, Any]],
    outcomes: Sequence[str],
    now: dt.datetime,
) -> RunSummary:
    """The summary of a run whose every planned ticker has a final result."""
    counts = Counter(str(r["outcome"]) for r in results)
    failed = {
        str(r["ticker"]): dict(r.get("error") or {"code": str(r["outcome"]), "message": "failed"})
        for r in results
        if r["outcome"] in UNFINISHED
    }
    started = dt.datetime.fromisoformat(str(plan["created"]))
    return RunSummary(
        job=job,
        run_id=str(plan["run_id"]),
        tickers=len(plan["tickers"]),
        counts={o: counts.get(o, 0) for o in outcomes},
        failed=failed,
        started=started.isoformat(timespec="seconds"),
        finished=now.isoformat(timespec="seconds"),
        seconds=round((now - started).total_seconds(), 1),
        results=list(results),
    )


@dataclass(frozen=True)
class RunProgress:
    """Where a run stands: planned tickers, those with a final result, those still pending."""

    run_id: str
    planned: list[str]
    done: dict[str, str] = field(default_factory=dict)

    @property
    def pending(self) -> list[str]:
        return [t for t in self.planned if t not in self.done]
