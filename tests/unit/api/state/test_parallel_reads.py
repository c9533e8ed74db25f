"""Reads side by side: every result in order, the calls really overlapping, the first failure
raised once all have ended, and the caller's deadline seen in every thread."""

from __future__ import annotations

import threading

import pytest

from cryptonic.api.state.parallel_reads import both, in_parallel
from cryptonic.store.deadline import deadline, remaining

OVERLAP_WAIT_S = 30.0
"""How long a call waits for the others to start: they start at once; this only ends a test
whose calls run one after another (the barrier then breaks) instead of hanging it."""


def test_results_come_back_in_order_from_calls_that_run_at_once():
    barrier = threading.Barrier(4)

    def call(i: int) -> int:
        barrier.wait(OVERLAP_WAIT_S)  # breaks unless all four are running together
        return i * i

    assert in_parallel([lambda i=i: call(i) for i in range(4)]) == [0, 1, 4, 9]


def test_both_keeps_each_results_type():
    assert both(lambda: "pointer", lambda: 7) == ("pointer", 7)


def test_no_calls_no_results():
    assert in_parallel([]) == []


def test_the_first_failure_in_order_is_raised_once_every_call_has_ended():
    released = threading.Event()
    ended: list[int] = []

    def call(i: int) -> int:
        if i == 2:  # ends last: once call 3 has run
            released.wait(OVERLAP_WAIT_S)
        ended.append(i)
        if i == 3:
            released.set()
        if i in (1, 2):
            raise LookupError(f"call {i}")
        return i

    with pytest.raises(LookupError, match="call 1"):
        in_parallel([lambda i=i: call(i) for i in range(4)])
    assert sorted(ended) == [0, 1, 2, 3], "no call was left running behind the caller"


def test_every_call_takes_its_time_from_the_callers_deadline():
    assert both(remaining, remaining) == (None, None)
    with deadline(5.0):
        seen = in_parallel([remaining, remaining, remaining])
    assert all(left is not None and 0.0 < left <= 5.0 for left in seen)
