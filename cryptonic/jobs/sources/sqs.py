"""SQS records, as Lambda's event source mapping delivers a queue's messages (``sam local
generate-event sqs receive-message``): the fan-out's one-ticker jobs (cryptonic.jobs.consumer)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class QueueRecord(BaseModel):
    """The parts of an SQS record we read."""

    model_config = ConfigDict(extra="allow", frozen=True)

    messageId: str = Field(min_length=1)  # noqa: N815 (SQS's name)
    body: str
    attributes: dict[str, Any] = Field(default_factory=dict)

    @property
    def receive_count(self) -> int:
        try:
            return max(1, int(self.attributes.get("ApproximateReceiveCount", 1)))
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
