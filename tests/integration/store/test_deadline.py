"""Every store call takes what is left of the caller's deadline, on both S3 clients: a stalled S3
costs the deadline, not the budget; a passed deadline costs no request at all.

The bounds are generous (a busy machine must not fail them): what they tell apart is the
deadline (0.5 s) from the serving budget (about 4 s against a stalled S3) and the batch budget
(15 s reads).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from cryptonic.errors import StoreUnavailableError
from cryptonic.store.budget import BATCH, SERVING, Budget
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.deadline import deadline
from cryptonic.store.s3 import S3Store
from cryptonic.store.s3_reader import S3ReadOnlyStore
from tests.fixtures.s3_fakes import ScriptedS3, SilentEndpoint

WELL_UNDER_THE_BUDGET_S = 2.0


def open_client(kind: str, budget: Budget = SERVING) -> ArtifactStore:
    """The reader or the botocore store, on the environment's S3 endpoint."""
    if kind == "botocore":
        return S3Store("model-bucket", "models", budget=budget)
    reader = S3ReadOnlyStore.from_environment("model-bucket", "models")
    assert reader is not None
    return reader


def timed_failure(call: Callable[[], Any], match: str) -> float:
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match=match):
        call()
    return time.monotonic() - started


@pytest.mark.parametrize("kind", ["reader", "botocore"])
def test_a_stalled_s3_costs_the_deadline_not_the_budget(
    silent_endpoint: SilentEndpoint, kind: str
) -> None:
    store = open_client(kind)
    with deadline(0.5):
        elapsed = timed_failure(lambda: store.get_bytes("BTC-USD/champion.json"), "cannot reach")
    assert SERVING.read_s >= WELL_UNDER_THE_BUDGET_S, "one read on the budget would not fit"
    assert elapsed < WELL_UNDER_THE_BUDGET_S
    assert silent_endpoint.accepted == 1, "no retry: the deadline left no time for one"


def test_the_batch_budget_shrinks_too(silent_endpoint: SilentEndpoint) -> None:
    store = open_client("botocore", BATCH)
    with deadline(0.5):
        elapsed = timed_failure(lambda: store.list_folder(""), "cannot reach")
    assert BATCH.read_s > 5 * WELL_UNDER_THE_BUDGET_S
    assert elapsed < WELL_UNDER_THE_BUDGET_S


@pytest.mark.parametrize("kind", ["reader", "botocore"])
def test_a_passed_deadline_sends_nothing(scripted_s3: ScriptedS3, kind: str) -> None:
    store = open_client(kind)
    calls: list[Callable[[], Any]] = [
        lambda: store.get_bytes("BTC-USD/champion.json"),
        lambda: store.head("BTC-USD/champion.json"),
        lambda: store.list("BTC-USD/"),
        lambda: store.list_folder(""),
    ]
    with deadline(0.0):
        for call in calls:
            timed_failure(call, r"no time left for (read|head|list) s3://model-bucket/models/")
    assert scripted_s3.requests == []


@pytest.mark.parametrize("kind", ["reader", "botocore"])
def test_calls_inside_a_deadline_work_as_usual(s3_store: S3Store, kind: str) -> None:
    """Against moto: shrunk timeouts still read what is there."""
    s3_store.put_json("BTC-USD/champion.json", {"version": "v1"})
    reader = S3ReadOnlyStore.from_environment(s3_store.bucket, "models")
    store = reader if kind == "reader" else S3Store(s3_store.bucket, "models", budget=SERVING)
    assert store is not None
    for seconds in (30.0, 0.9):
        with deadline(seconds):
            assert store.get_json("BTC-USD/champion.json") == {"version": "v1"}
            assert store.list_folder("").folders == ("BTC-USD/",)


def test_botocore_connects_within_a_short_deadline_on_a_client_of_its_own(
    s3_store: S3Store,
) -> None:
    """botocore fixes a client's connect timeout: with less time left than the budget's, a
    call goes through a client built with a shorter one (and the first one stays for later)."""
    s3_store.put_json("BTC-USD/champion.json", {"version": "v1"})
    store = S3Store(s3_store.bucket, "models", budget=SERVING)
    with deadline(0.9):
        assert store.get_json("BTC-USD/champion.json") == {"version": "v1"}
    timeouts = sorted(c.meta.config.connect_timeout for c in store._clients.values())
    assert timeouts == [0.5, SERVING.connect_s]
    assert store.client.meta.config.connect_timeout == SERVING.connect_s
