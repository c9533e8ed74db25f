"""Time budgets: back-off, attempts and the deadline rule both S3 clients follow."""

from __future__ import annotations

import pytest

from cryptonic.store.budget import BATCH, MIN_ATTEMPT_S, SERVING, Budget


def test_backoff_doubles_with_full_jitter_and_is_capped() -> None:
    budget = Budget(connect_s=1, read_s=2, attempts=5, backoff_s=0.1, max_backoff_s=0.3)
    assert [budget.backoff(n, throttled=False, rand=lambda: 1.0) for n in (1, 2, 3)] == [
        0.1,
        0.2,
        0.3,
    ]
    assert budget.backoff(3, throttled=False, rand=lambda: 0.5) == pytest.approx(0.15)
    assert budget.backoff(1, throttled=False, rand=lambda: 0.0) == 0.0
    assert budget.backoff(1, throttled=True, rand=lambda: 1.0) == budget.throttled_backoff_s


def test_attempts_are_bounded() -> None:
    budget = Budget(connect_s=1, read_s=2, attempts=3)
    assert budget.may_retry(1, 0.0, 0.0)
    assert budget.may_retry(2, 0.0, 0.0)
    assert not budget.may_retry(3, 0.0, 0.0)


def test_another_attempt_starts_only_if_its_read_timeout_fits_the_deadline() -> None:
    budget = Budget(connect_s=1, read_s=2, attempts=9, deadline_s=5)
    assert budget.may_retry(1, 2.0, 0.05)  # 2.05 + 2 <= 5
    assert budget.may_retry(1, 2.9, 0.1)  # exactly at the deadline
    assert not budget.may_retry(2, 4.05, 0.0)  # a second timeout would end at 6 s
    assert budget.remaining(1.5) == 3.5
    assert Budget(connect_s=1, read_s=2, attempts=9).remaining(100) is None


def test_serving_fails_well_inside_the_predict_timeout() -> None:
    # the worst case: every attempt that may start waits its full connect and read timeouts
    assert SERVING.deadline_s is not None
    assert SERVING.connect_s <= 1
    assert SERVING.read_s <= 2
    assert SERVING.attempts <= 3
    worst = SERVING.deadline_s + SERVING.connect_s
    assert worst <= 6  # the predict function has 10 s
    assert BATCH.read_s > SERVING.read_s  # the retrain uploads model files


def test_an_attempt_takes_at_most_what_the_deadlines_leave() -> None:
    budget = Budget(connect_s=1, read_s=2, attempts=3, deadline_s=5)
    assert budget.timeouts(0.0) == (1, 2)
    assert budget.timeouts(0.0, left_s=30.0) == (1, 2)
    assert budget.timeouts(0.0, left_s=0.5) == (0.5, 0.5)  # the caller's deadline
    assert budget.timeouts(3.5, left_s=30.0) == (1, 1.5)  # the budget's own
    assert budget.timeouts(9.0, left_s=0.0) == (0.01, 0.01)  # never 0: that means non-blocking
    assert Budget(connect_s=1, read_s=2, attempts=3).timeouts(100.0) == (1, 2)


def test_no_retry_starts_without_time_left_for_it() -> None:
    budget = Budget(connect_s=1, read_s=2, attempts=3)
    assert budget.may_retry(1, 0.0, 0.1, left_s=None)
    assert budget.may_retry(1, 0.0, 0.1, left_s=0.1 + MIN_ATTEMPT_S)
    assert not budget.may_retry(1, 0.0, 0.1, left_s=0.1 + MIN_ATTEMPT_S / 2)
    assert not budget.may_retry(3, 0.0, 0.0, left_s=100.0), "the attempts still count"


def test_connect_timeouts_come_from_a_short_ladder() -> None:
    budget = Budget(connect_s=1, read_s=2, attempts=3)
    assert budget.connect_tier(None) == 1
    assert budget.connect_tier(5.0) == 1
    assert budget.connect_tier(1.0) == 1
    assert budget.connect_tier(0.9) == 0.5
    assert budget.connect_tier(0.3) == 0.25
    assert budget.connect_tier(0.0) == 0.0625  # the floor: nothing shorter is of use
    ladder = {budget.connect_tier(left / 100) for left in range(0, 200)}
    assert ladder == {1, 0.5, 0.25, 0.125, 0.0625}
    assert all(tier >= MIN_ATTEMPT_S for tier in ladder)
