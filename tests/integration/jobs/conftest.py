"""What Lambda passes a handler besides the event: its context, one per invocation."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest


class LambdaContext:
    """The runtime's context object as the jobs read it: the request id, the function (name,
    memory, ARN: Powertools' Logger puts them on every line) and the time left."""

    def __init__(self, function_name: str, timeout_s: float = 900.0) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 3008
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        )
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2026/12/01/[$LATEST]0123456789abcdef"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@pytest.fixture
def lambda_context() -> Callable[[str], LambdaContext]:
    """A new invocation's context of the named function."""
    return LambdaContext
