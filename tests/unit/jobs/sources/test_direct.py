"""A direct invoke's JSON against a request model: every problem spelled out, nothing ignored."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict

from cryptonic.errors import ConfigError
from cryptonic.jobs.sources.direct import direct_job, parse_job_event, recognises


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tickers: list[str] | None = None
    force: bool = False


def parse(event):
    return parse_job_event(event, Request, "test", '{"ticker": "X"}')


def test_anything_is_a_direct_invoke_when_nothing_else_claims_it():
    assert recognises(None)
    assert recognises({"ticker": "BTC-USD"})
    assert recognises([1, 2])


def test_a_ticker_is_a_list_of_one_and_nothing_means_every_ticker():
    assert parse({"ticker": "BTC-USD"}).tickers == ["BTC-USD"]
    assert parse({"ticker": ""}).tickers is None
    assert parse(None) == Request()
    assert parse({"tickers": ["A", "B"], "force": "true"}) == Request(
        tickers=["A", "B"], force=True
    )


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"forse": True}, r"invalid test event \(forse: Extra inputs are not permitted\)"),
        ({"force": "maybe"}, 'expected {"ticker": "X"}'),
        ({"ticker": "A", "tickers": ["B"]}, "either 'ticker' or 'tickers', not both"),
        ("BTC-USD", "test event must be a JSON object, got str"),
    ],
)
def test_refused_with_the_reason(event, message):
    with pytest.raises(ConfigError, match=message):
        parse(event)


def test_the_job_is_the_callers_and_the_retrain_without_one():
    assert direct_job({"job": "refresh"}) == "refresh"
    assert direct_job({"ticker": "BTC-USD"}) == "retrain"
    assert direct_job(None) == "retrain"
