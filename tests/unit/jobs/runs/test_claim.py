"""A ticker's claim in a run: created once, held for its lease, taken over when its holder is
gone (lease over, released, or the same message redelivered), counting real attempts."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.errors import ConflictError
from cryptonic.jobs.runs.claim import Busy, Claim, Delivery, Exhausted, acquire, read_claim

KEY = "runs/refresh/20261201T003000Z-abc/claims/BTC-USD.json"
T0 = dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.UTC)


def _at(minutes: float):
    return lambda: T0 + dt.timedelta(minutes=minutes)


def _acquire(store, message: str, count: int = 1, minutes: float = 0, attempts: int = 2):
    return acquire(
        store,
        KEY,
        Delivery(message, count),
        lease_seconds=3600,
        max_attempts=attempts,
        clock=_at(minutes),
    )


def test_of_two_deliveries_one_holds_the_claim_and_the_other_backs_off(local_store):
    first = _acquire(local_store, "m1")
    assert isinstance(first, Claim)
    assert first.attempts == 1
    second = _acquire(local_store, "m2", minutes=1)
    assert isinstance(second, Busy)
    assert second.holder.message_id == "m1"
    same_delivery = _acquire(local_store, "m1", minutes=1)  # a duplicate of the same receive
    assert isinstance(same_delivery, Busy)


def test_an_expired_lease_a_release_or_a_redelivery_is_taken_over(local_store):
    first = _acquire(local_store, "m1")
    assert isinstance(first, Claim)
    late = _acquire(local_store, "m2", minutes=61)  # the lease ran out
    assert isinstance(late, Claim)
    assert late.attempts == 2
    again = _acquire(local_store, "m2", count=2, minutes=62, attempts=3)  # m2 redelivered
    assert isinstance(again, Claim)
    assert again.attempts == 3
    again.release()
    after = _acquire(local_store, "m3", minutes=63, attempts=4)
    assert isinstance(after, Claim)
    assert after.attempts == 4


def test_no_attempt_starts_once_they_are_spent(local_store):
    _acquire(local_store, "m1")
    spent = _acquire(local_store, "m1", count=2, minutes=90, attempts=1)
    assert isinstance(spent, Exhausted)
    assert spent.last.attempts == 1


def test_progress_survives_a_takeover_and_a_lost_claim_cannot_checkpoint(local_store):
    first = _acquire(local_store, "m1")
    assert isinstance(first, Claim)
    first.checkpoint(publishing="20261201T003100Z-abcdef1")
    second = _acquire(local_store, "m2", minutes=61)
    assert isinstance(second, Claim)
    assert second.progress == {"publishing": "20261201T003100Z-abcdef1"}
    with pytest.raises(ConflictError, match="lost the claim"):
        first.checkpoint(publishing="20261201T003200Z-abcdef2")
    stored, _ = read_claim(local_store, KEY)
    assert (stored.message_id, stored.progress["publishing"]) == ("m2", "20261201T003100Z-abcdef1")
    assert read_claim(local_store, KEY + ".missing") is None
