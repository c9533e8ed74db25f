"""How ``retrain``, ``refresh`` and ``run`` print a job's summary: a line per ticker with its
outcome, then its reason and error.

One printer, because the jobs' summaries share their shape (cryptonic.jobs.runner) and a person
reads them the same way. It prints the summary's own ``outcome`` (promoted, rejected, skipped,
failed; refreshed, unchanged, ...) instead of deriving one from other fields, so a failed ticker
can never read as a success.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["print_results"]


def _no_details(result: dict[str, Any]) -> list[str]:
    return []


def print_results(
    summary: dict[str, Any], details: Callable[[dict[str, Any]], list[str]] = _no_details
) -> None:
    """``summary``'s refused request on stderr, then each ticker: ``TICKER: outcome [VERSION] in
    N s``, its reason, the job's ``details`` lines, its error with the error's code."""
    if summary.get("error"):
        print(f"error: {summary['error']['message']}", file=sys.stderr)
    for r in summary["results"]:
        version = f" {r['version']}" if r.get("version") else ""
        print(f"{r['ticker']}: {r['outcome']}{version} in {r['seconds']:.1f} s")
        print(f"  {r['reason']}")
        for line in details(r):
            print(f"  {line}")
        if r.get("error"):
            print(f"  error [{r['error']['code']}]: {r['error']['message']}")
