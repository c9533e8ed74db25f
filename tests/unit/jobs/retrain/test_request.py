from __future__ import annotations

import json

import pytest

from cryptonic.errors import ConfigError
from cryptonic.jobs.retrain.request import parse_retrain_event
from tests.fixtures.paths import EVENTS


def test_scheduled_event_means_every_configured_ticker():
    event = json.loads((EVENTS / "retrain-scheduled.json").read_text())
    request = parse_retrain_event(event)
    assert request.scheduled
    assert request.tickers is None
    assert not request.force


def test_direct_invoke():
    event = json.loads((EVENTS / "retrain-direct.json").read_text())
    request = parse_retrain_event(event)
    assert request.tickers == ["BTC-USD"]
    assert request.strategy == "new"
    assert parse_retrain_event({"tickers": ["eth-usd", "AAPL"], "force": True}).tickers == [
        "ETH-USD",
        "AAPL",
    ]
    assert parse_retrain_event({}).tickers is None
    assert parse_retrain_event(None).tickers is None


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"forse": True}, "forse: Extra inputs are not permitted"),
        ({"strategy": "sometimes"}, "strategy"),
        ({"ticker": "not a ticker!"}, "invalid ticker"),
        ({"force": "maybe"}, "force"),
        ({"ticker": "BTC-USD", "tickers": ["ETH-USD"]}, "not both"),
        (["BTC-USD"], "JSON object"),
    ],
)
def test_bad_events_are_refused_with_the_reason(event, message):
    with pytest.raises(ConfigError, match=message):
        parse_retrain_event(event)
