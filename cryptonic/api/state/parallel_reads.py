"""Store reads made side by side: a cold ticker loads in three round trips, not seven.

Loading a champion reads the pointer and ``latest.json``, then the manifest, then three
artifacts and the logged forecast. Each read waits on the network (tens of milliseconds on S3),
not on the CPU, so the reads that do not depend on each other run together, each in its own
thread, and a round costs its slowest read instead of their sum. The S3 reader keeps a few
connections alive for that (:mod:`cryptonic.store.s3_connections`).

Every thread runs in a copy of the caller's context, so each read still takes its time from the
caller's deadline (:mod:`cryptonic.store.deadline`, a context variable a plain thread would not
see). The caller's own thread makes the first read, and waits for the others: every read is
bounded by that deadline or the store's per-call budget, so the wait is too. Standard library
only: the cold start uses it.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["both", "in_parallel"]

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")


def in_parallel(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Every call's result, in order; the calls run at once. If any raised, the first of them
    in order is raised, once all have ended (none is left running behind the caller)."""
    results: list[Any] = [None] * len(calls)
    failures: list[BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # handed to the caller below
            failures[i] = exc

    threads = [
        threading.Thread(
            target=contextvars.copy_context().run,
            args=(run, i),
            name=f"cryptonic-read-{i}",
            daemon=True,
        )
        for i in range(1, len(calls))
    ]
    for thread in threads:
        thread.start()
    if calls:
        run(0)
    for thread in threads:
        thread.join()
    for failure in failures:
        if failure is not None:
            raise failure
    return results


def both(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """Two reads of different kinds at once (see :func:`in_parallel`)."""
    pair: list[Any] = in_parallel([first, second])
    return pair[0], pair[1]
