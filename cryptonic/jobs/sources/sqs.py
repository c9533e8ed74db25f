"""SQS records, as Lambda's event source mapping delivers a queue's messages (``sam local
generate-event sqs receive-message``): the fan-out's one-ticker jobs (cryptonic.jobs.consumer).

A record is Powertools' ``SQSRecord`` (the batch utility hands each one to the consumer); here is
what we read of it beyond its id and body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the dispatch asks recognises() and never pays for Powertools' event classes
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


def receive_count(record: SQSRecord) -> int:
    """Which delivery of its message this is (``ApproximateReceiveCount``), from 1; 1 when the
    record does not say or says nonsense."""
    attributes = record.raw_event.get("attributes")
    if not isinstance(attributes, dict):
        return 1
    try:
        return max(1, int(attributes.get("ApproximateReceiveCount", 1)))
    except (TypeError, ValueError):
        return 1


def recognises(event: Any) -> bool:
    """Whether Lambda's SQS event source mapping sent this event: records, every one from SQS."""
    records = event.get("Records") if isinstance(event, dict) else None
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records)
    )
