"""The deadline above the per-call budget: nesting, threads, and no call after it passed."""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor

import pytest

from cryptonic.errors import StoreUnavailableError
from cryptonic.store.deadline import deadline, remaining, require_time


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_no_deadline_outside_one() -> None:
    assert remaining() is None
    assert require_time("a GET") is None


def test_time_left_shrinks_with_the_clock_and_never_goes_negative() -> None:
    clock = Clock()
    with deadline(2.0, clock=clock):
        assert remaining(clock=clock) == 2.0
        clock.now += 1.5
        assert remaining(clock=clock) == pytest.approx(0.5)
        clock.now += 3.0
        assert remaining(clock=clock) == 0.0
    assert remaining(clock=clock) is None


def test_a_nested_deadline_keeps_the_earlier_end() -> None:
    clock = Clock()
    with deadline(1.0, clock=clock):
        with deadline(5.0, clock=clock):
            assert remaining(clock=clock) == 1.0
        with deadline(0.25, clock=clock):
            assert remaining(clock=clock) == 0.25
        assert remaining(clock=clock) == 1.0


def test_no_call_starts_once_the_deadline_has_passed() -> None:
    clock = Clock()
    with deadline(1.0, clock=clock):
        assert require_time("a GET of champion.json", clock=clock) == 1.0
        clock.now += 1.0
        with pytest.raises(
            StoreUnavailableError, match=r"no time left for a GET of champion\.json"
        ):
            require_time("a GET of champion.json", clock=clock)


def test_a_thread_started_with_the_context_has_the_deadline() -> None:
    clock = Clock()
    with deadline(3.0, clock=clock), ThreadPoolExecutor(1) as pool:
        inherited = pool.submit(contextvars.copy_context().run, remaining, clock=clock).result()
        bare = pool.submit(remaining, clock=clock).result()
    assert inherited == 3.0
    assert bare is None


def test_none_sets_no_limit() -> None:
    with deadline(None):
        assert remaining() is None
