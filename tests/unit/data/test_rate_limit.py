"""``MinInterval``: the process-wide spacing of Yahoo requests, on a fake clock."""

from __future__ import annotations

import threading

import pytest

from cryptonic.data.rate_limit import MinInterval


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_first_request_goes_at_once_and_the_next_waits_the_interval() -> None:
    clock = Clock()
    bound = MinInterval(clock=clock, sleep=clock.sleep)

    assert bound.acquire(1.0) == 0.0
    assert bound.acquire(1.0) == 1.0
    assert clock.waits == [1.0]
    assert clock.now == 101.0


def test_time_already_passed_counts_towards_the_interval() -> None:
    clock = Clock()
    bound = MinInterval(clock=clock, sleep=clock.sleep)

    bound.acquire(1.0)
    clock.now += 0.4
    assert bound.acquire(1.0) == pytest.approx(0.6)
    clock.now += 5.0
    assert bound.acquire(1.0) == 0.0
    assert clock.waits == [pytest.approx(0.6)]


def test_each_request_keeps_its_own_interval_from_the_previous_one() -> None:
    clock = Clock()
    bound = MinInterval(clock=clock, sleep=clock.sleep)

    bound.acquire(0.0)
    assert bound.acquire(2.0) == 2.0
    assert bound.acquire(0.0) == 0.0  # a caller asking for no spacing is not held back


def test_reset_forgets_the_last_request() -> None:
    clock = Clock()
    bound = MinInterval(clock=clock, sleep=clock.sleep)
    bound.acquire(1.0)

    bound.reset()

    assert bound.acquire(1.0) == 0.0


@pytest.mark.parametrize("interval", [-0.1, float("inf"), float("nan")])
def test_nonsense_interval_is_refused(interval: float) -> None:
    with pytest.raises(ValueError, match="finite number >= 0"):
        MinInterval().acquire(interval)


def test_concurrent_callers_get_distinct_slots_one_interval_apart() -> None:
    # The clock stands still and sleeping is free, so only the reservation under the lock can
    # space the callers: without it two threads would read the same last start.
    now = 0.0
    waits: list[float] = []
    record = threading.Lock()

    def sleep(seconds: float) -> None:
        with record:
            waits.append(seconds)

    bound = MinInterval(clock=lambda: now, sleep=sleep)
    go = threading.Barrier(16)
    got: list[float] = []

    def caller() -> None:
        go.wait()
        waited = bound.acquire(0.5)
        with record:
            got.append(waited)

    threads = [threading.Thread(target=caller) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(got) == [0.5 * i for i in range(16)]
    assert sorted(waits) == [0.5 * i for i in range(1, 16)]
