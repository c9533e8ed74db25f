"""SQS records: what the event source mapping sends, and the parts of a record we read."""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from cryptonic.jobs.sources.sqs import receive_count, recognises
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
    [shipped] = json.loads((EVENTS / "retrain-sqs.json").read_text())["Records"]
    assert receive_count(SQSRecord(shipped)) == int(
        shipped["attributes"]["ApproximateReceiveCount"]
    )
    record = {"messageId": "m1", "body": "{}", "attributes": {"ApproximateReceiveCount": "3"}}
    assert receive_count(SQSRecord(record)) == 3
    assert receive_count(SQSRecord({"messageId": "m2", "body": "{}"})) == 1
    for garbled in ({"ApproximateReceiveCount": "x"}, {"ApproximateReceiveCount": "0"}, "x"):
        assert (
            receive_count(SQSRecord({"messageId": "m3", "body": "{}", "attributes": garbled})) == 1
        )
