"""botocore's retry decisions come from the table and the budget (handlers called directly)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from botocore import exceptions as bx

from cryptonic.store.budget import MIN_ATTEMPT_S, Budget
from cryptonic.store.deadline import deadline
from cryptonic.store.s3_retries import BudgetRetries

BUDGET = Budget(connect_s=1, read_s=2, attempts=3, deadline_s=5, backoff_s=0.1)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def handlers(
    budget: Budget = BUDGET, clock: Clock | None = None
) -> tuple[BudgetRetries, Clock, dict[str, Any]]:
    clock = clock or Clock()
    retries = BudgetRetries(budget, clock)
    context: dict[str, Any] = {}
    retries._started(context=context)
    return retries, clock, {"context": context}


def answer(status: int, code: str = "") -> tuple[Any, dict[str, Any]]:
    parsed = {"Error": {"Code": code}} if code else {}
    return SimpleNamespace(status_code=status), parsed


def ask(retries: BudgetRetries, request: dict[str, Any], attempts: int, **kw: Any) -> Any:
    kw.setdefault("response", None)
    kw.setdefault("caught_exception", None)
    return retries._needs_retry(attempts=attempts, request_dict=request, **kw)


def test_retries_what_the_table_says() -> None:
    retries, _, request = handlers()
    for status, code in [
        (503, "SlowDown"),
        (500, "InternalError"),
        (502, ""),
        (409, "ConditionalRequestConflict"),
    ]:
        delay = ask(retries, request, 1, response=answer(status, code))
        assert delay is not None, (status, code)
        assert 0 <= delay <= 0.25 + 1e-9
    for status, code in [
        (200, ""),
        (404, "NoSuchKey"),
        (403, "AccessDenied"),
        (412, "PreconditionFailed"),
        (400, "ExpiredToken"),
        (301, "PermanentRedirect"),
    ]:
        assert ask(retries, request, 1, response=answer(status, code)) is None, (status, code)


def test_retries_transport_failures_but_not_bugs() -> None:
    retries, _, request = handlers()
    for exc in (
        bx.EndpointConnectionError(endpoint_url="http://x"),
        bx.ReadTimeoutError(endpoint_url="http://x"),
        bx.ConnectionClosedError(endpoint_url="http://x"),
    ):
        assert ask(retries, request, 1, caught_exception=exc) is not None
    assert ask(retries, request, 1, caught_exception=KeyError("bug")) is None


def test_stops_at_the_attempt_limit_and_the_deadline() -> None:
    retries, clock, request = handlers()
    assert ask(retries, request, 2, response=answer(503, "SlowDown")) is not None
    assert ask(retries, request, 3, response=answer(503, "SlowDown")) is None
    clock.now += 2.9  # a 2 s read would still end before the 5 s deadline...
    assert (
        ask(retries, request, 1, caught_exception=bx.ReadTimeoutError(endpoint_url="x")) is not None
    )
    clock.now += 0.2  # ...now it would not
    assert ask(retries, request, 1, caught_exception=bx.ReadTimeoutError(endpoint_url="x")) is None


def test_outside_a_deadline_the_client_keeps_its_read_timeout() -> None:
    _, _, request = handlers()
    assert "read_timeout" not in request["context"]


def test_each_attempt_reads_at_most_what_the_deadline_leaves() -> None:
    clock = Clock()
    with deadline(0.5, clock=clock):
        retries, _, request = handlers(clock=clock)
        assert request["context"]["read_timeout"] == 0.5  # botocore reads it per request
        clock.now += 0.2
        delay = ask(retries, request, 1, response=answer(503, "SlowDown"))
        assert delay is not None
        assert request["context"]["read_timeout"] == pytest.approx(0.3 - delay)


def test_no_retry_when_the_deadline_leaves_no_time_for_it() -> None:
    clock = Clock()
    with deadline(1.0, clock=clock):
        retries, _, request = handlers(clock=clock)
        clock.now += 1.0 - MIN_ATTEMPT_S / 2
        assert ask(retries, request, 1, response=answer(503, "InternalError")) is None
        assert (
            ask(retries, request, 1, caught_exception=bx.ReadTimeoutError(endpoint_url="x")) is None
        )
