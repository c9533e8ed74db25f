"""Time budgets: back-off, attempts and the deadline rule both S3 clients follow."""

from __future__ import annotations

import pytest

from cryptonic.store.budget import BATCH, SERVING, Budget


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
