"""What the refresh function accepts: the schedule's event, a direct invoke, nothing else."""

from __future__ import annotations

import json

import pytest

from cryptonic.errors import ConfigError
from cryptonic.jobs.refresh.request import parse_refresh_event
from tests.fixtures.paths import EVENTS


def test_the_shipped_schedule_event_means_every_configured_ticker():
    event = json.loads((EVENTS / "refresh-scheduled.json").read_text())
    assert event["source"] == "aws.scheduler"
    request = parse_refresh_event(event)
    assert request.scheduled
    assert request.tickers is None


def test_direct_invokes():
    assert parse_refresh_event({"ticker": "btc-usd"}).tickers == ["BTC-USD"]
    assert parse_refresh_event({"tickers": ["AAPL", "eth-usd"]}).tickers == ["AAPL", "ETH-USD"]
    assert parse_refresh_event({}).tickers is None
    assert parse_refresh_event(None).tickers is None
    assert parse_refresh_event({"ticker": ""}).tickers is None


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"ticker": "BTC-USD", "force": True}, "force: Extra inputs are not permitted"),
        ({"ticker": "not a ticker!"}, "invalid ticker"),
        ({"tickers": []}, "tickers"),
        ({"ticker": "BTC-USD", "tickers": ["AAPL"]}, "either 'ticker' or 'tickers'"),
        ([1, 2], "must be a JSON object, got list"),
    ],
)
def test_refused(event, message):
    with pytest.raises(ConfigError, match=message):
        parse_refresh_event(event)
