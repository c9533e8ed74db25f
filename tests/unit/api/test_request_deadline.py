"""One deadline per request: from the setting, or from what the Lambda context has left, and every
store call of the request inside it (the sync endpoints' thread pool and /tickers' readers too)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mangum import Mangum

from cryptonic.api import create_app
from cryptonic.api.request_deadline import LAMBDA_MARGIN_S, request_seconds
from cryptonic.config import Settings
from cryptonic.registry.registry import Registry
from tests.fixtures.api import WatchedStore, assert_error
from tests.fixtures.published import api_client, http_event

SECONDS = 1.5


class LambdaContext:
    """What Mangum passes on as ``scope["aws.context"]``: the part of it we read."""

    def __init__(self, left_ms: Any) -> None:
        self.left_ms = left_ms

    def get_remaining_time_in_millis(self) -> Any:
        return self.left_ms


@pytest.fixture
def watched(local_store):
    return WatchedStore(local_store)


@pytest.fixture
def app(watched, local_store_uri):
    settings = Settings(
        tickers=["BTC-USD", "AAPL"],
        store_uri=local_store_uri,
        cache_ttl_seconds=0,
        request_deadline_seconds=SECONDS,
    )
    return create_app(settings, Registry(watched))


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (None, SECONDS),
        (object(), SECONDS),
        (LambdaContext(10_000), SECONDS),
        (LambdaContext(2_000), 2.0 - LAMBDA_MARGIN_S),
        (LambdaContext(int(LAMBDA_MARGIN_S * 1000) - 1), 0.0),
        (LambdaContext("soon"), SECONDS),
    ],
)
def test_the_deadline_is_the_setting_or_what_lambda_has_left(context, expected):
    scope = {} if context is None else {"aws.context": context}
    assert request_seconds(scope, SECONDS) == pytest.approx(expected)


@pytest.mark.parametrize(
    "path",
    ["/predict?ticker=AAPL", "/status", "/models?ticker=AAPL", "/track-record", "/tickers"],
)
def test_every_store_call_of_a_request_runs_inside_its_deadline(app, watched, path):
    client = api_client(app)
    client.get(path)
    assert watched.calls, "the request read the store"
    assert all(left is not None and 0.0 < left <= SECONDS for left in watched.left), watched.left


def test_a_page_of_tickers_reads_inside_the_deadline_from_every_reader(app, watched):
    for ticker in ("ETH-USD", "SOL-USD", "ADA-USD"):
        watched.inner.put_json(f"{ticker}/champion.json", {"version": "x"})
    api_client(app).get("/tickers")
    pointers = [k for k in watched.keys if k.endswith("/champion.json")]
    assert len(pointers) == 5, "read by the pool of readers"
    assert all(left is not None and left <= SECONDS for left in watched.left)


def test_no_store_call_outside_a_request(app, watched):
    assert watched.calls == []
    watched.inner.put_json("ETH-USD/champion.json", {"version": "x"})
    assert Registry(watched).champion_etag("ETH-USD") is not None
    assert watched.left == [None], "no deadline leaks out of a request"


def test_a_request_out_of_time_answers_503_without_asking_the_store(app, watched):
    handler = Mangum(app, lifespan="off")
    event = http_event("GET", "/predict", query="ticker=AAPL")
    late = handler(event, LambdaContext(int(LAMBDA_MARGIN_S * 1000) - 100))
    assert late["statusCode"] == 503
    error = json.loads(late["body"])["error"]
    assert error["code"] == "store_unavailable"
    assert watched.calls == [], "nothing sent that could not be answered in time"
    assert watched.refused
    health = handler(http_event("GET", "/health"), LambdaContext(0))
    assert health["statusCode"] == 200, "no store, no deadline to miss"
    in_time = handler(event, LambdaContext(9_000))
    assert json.loads(in_time["body"])["error"]["code"] == "no_model", "the store was asked"
    assert watched.calls


def test_a_test_client_request_out_of_time_is_the_same_503(local_store, local_store_uri):
    watched = WatchedStore(local_store)
    watched.delay_s = 3.0
    # Half a second: room for the request to reach its first store call on a busy machine (at
    # 0.1 s a loaded CI worker sometimes spent it before the call), far short of the call's 3 s.
    settings = Settings(
        tickers=["BTC-USD"],
        store_uri=local_store_uri,
        cache_ttl_seconds=0,
        request_deadline_seconds=0.5,
    )
    client = api_client(create_app(settings, Registry(watched)))
    assert_error(client.get("/predict"), 503, "store_unavailable")
    assert watched.calls, "the call started, and was cut short by the deadline"
