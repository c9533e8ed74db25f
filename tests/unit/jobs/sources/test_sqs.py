"""SQS records: what the event source mapping sends, and the parts of a record we read."""

from __future__ import annotations

import json

from cryptonic.jobs.sources.sqs import QueueRecord, recognises
from tests.fixtures.paths import EVENTS


def test_only_sqs_records_are_read_as_queue_events():
    assert recognises({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]})
    assert recognises(json.loads((EVENTS / "retrain-sqs.json").read_text()))
    assert not recognises({"Records": [{"eventSource": "aws:s3"}]})
    assert not recognises({"Records": [{"eventSource": "aws:sqs"}, {"eventSource": "aws:s3"}]})
    assert not recognises({"Records": []})
    assert not recognises({"ticker": "BTC-USD"})
    assert not recognises(None)


def test_a_record_counts_its_deliveries_from_one():
    record = QueueRecord.model_validate(
        {"messageId": "m1", "body": "{}", "attributes": {"ApproximateReceiveCount": "3"}}
    )
    assert record.receive_count == 3
    assert QueueRecord(messageId="m2", body="{}").receive_count == 1
    garbled = QueueRecord(messageId="m3", body="{}", attributes={"ApproximateReceiveCount": "x"})
    assert garbled.receive_count == 1
