"""One function picks the source: SQS records, then a schedule, then a direct invoke."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ConfigDict

from cryptonic.errors import ConfigError
from cryptonic.jobs.sources.infer import parse_request, source_of
from tests.fixtures.paths import EVENTS


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tickers: list[str] | None = None
    scheduled: bool = False


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("retrain-sqs.json", "sqs"),
        ("refresh-sqs.json", "sqs"),
        ("retrain-scheduled.json", "scheduled"),
        ("refresh-scheduled.json", "scheduled"),
        ("retrain-direct.json", "direct"),
    ],
)
def test_each_shipped_event_has_its_source(name, source):
    assert source_of(json.loads((EVENTS / name).read_text())) == source


def test_whatever_nothing_else_claims_is_a_direct_invoke():
    assert source_of(None) == "direct"
    assert source_of([1, 2]) == "direct"
    assert source_of({"Records": []}) == "direct"


def test_a_schedule_asks_for_every_ticker_and_a_direct_invoke_for_its_own():
    scheduled = json.loads((EVENTS / "retrain-scheduled.json").read_text())
    assert parse_request(scheduled, Request, "test", "{}") == Request(scheduled=True)
    assert parse_request({"ticker": "A"}, Request, "test", "{}") == Request(tickers=["A"])
    with pytest.raises(ConfigError, match="Records: Extra inputs are not permitted"):
        parse_request(json.loads((EVENTS / "retrain-sqs.json").read_text()), Request, "test", "{}")
