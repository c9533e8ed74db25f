"""A stalled S3 (accepts, never answers) costs serving seconds, not the predict timeout.

Each client is measured against a loopback server that accepts TCP connections and never
answers; the bound is the serving budget's deadline plus slack for a busy machine.
"""

from __future__ import annotations

import time

import pytest

from cryptonic.errors import StoreUnavailableError
from cryptonic.store.budget import SERVING
from cryptonic.store.s3 import S3Store
from cryptonic.store.s3_reader import S3ReadOnlyStore
from cryptonic.store.uri import open_store
from tests.fixtures.s3_fakes import SilentEndpoint
from tests.fixtures.template import load_template

SLACK_S = 0.75


def predict_timeout_s() -> float:
    return float(load_template()["Resources"]["PredictFunction"]["Properties"]["Timeout"])


def stalled(call: object) -> float:
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match=r"cannot reach S3 at http://127\.0\.0\.1"):
        call()  # type: ignore[operator]
    return time.monotonic() - started


@pytest.mark.parametrize("kind", ["reader", "botocore"])
def test_a_stalled_s3_fails_within_the_serving_budget(
    silent_endpoint: SilentEndpoint, kind: str
) -> None:
    store = (
        S3ReadOnlyStore.from_environment("model-bucket", "models")
        if kind == "reader"
        else S3Store("model-bucket", "models", budget=SERVING)
    )
    assert store is not None
    elapsed = stalled(lambda: store.get_bytes("BTC-USD/champion.json"))
    assert SERVING.deadline_s is not None
    assert elapsed >= 2 * SERVING.read_s  # it did wait and retry once...
    assert elapsed < SERVING.deadline_s + SLACK_S  # ...and gave up before the deadline
    assert elapsed < predict_timeout_s() / 2
    assert silent_endpoint.accepted == 2  # a third 2 s read would end past the deadline


def test_serving_opens_a_store_that_gives_up_in_time(silent_endpoint: SilentEndpoint) -> None:
    store = open_store("s3://model-bucket/models", read_only=True)
    assert isinstance(store, S3ReadOnlyStore)
    assert SERVING.deadline_s is not None
    assert stalled(lambda: store.head("BTC-USD/champion.json")) < SERVING.deadline_s + SLACK_S
    assert stalled(lambda: store.list("BTC-USD/versions/")) < SERVING.deadline_s + SLACK_S


def test_the_botocore_client_carries_the_budget(aws_env: str) -> None:
    serving = S3Store("model-bucket", "models", budget=SERVING)
    config = serving.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (SERVING.connect_s, SERVING.read_s)
    # botocore's own retries are off: the table and the budget decide (see s3_retries)
    assert config.retries["total_max_attempts"] == 1
