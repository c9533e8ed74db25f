"""One ticker's failure as its result: our errors by code, bad input, and bugs as internal."""

from __future__ import annotations

import logging

import pytest

from cryptonic.errors import StaleDataError
from cryptonic.jobs.runs.failure import ticker_failure

LOG = logging.getLogger("cryptonic.test")


def test_our_error_keeps_its_code_and_message(caplog: pytest.LogCaptureFixture) -> None:
    failure = ticker_failure(StaleDataError("no close for 3 days"), "refresh", "BTC-USD", LOG)
    assert failure.error == {"code": "stale_data", "message": "no close for 3 days"}
    assert failure.reason == "failed: no close for 3 days"
    assert "refresh BTC-USD failed: no close for 3 days" in caplog.text


def test_a_value_error_is_bad_input() -> None:
    failure = ticker_failure(ValueError("invalid ticker"), "retrain", "X", LOG)
    assert failure.error == {"code": "bad_input", "message": "invalid ticker"}


def test_anything_else_is_internal_with_its_traceback_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        raise KeyError("surprise")
    except KeyError as exc:
        failure = ticker_failure(exc, "retrain", "BTC-USD", LOG)
    assert failure.error == {"code": "internal", "message": "KeyError: 'surprise'"}
    assert failure.reason == "failed: internal error (see logs)"
    [record] = [r for r in caplog.records if r.getMessage() == "retrain BTC-USD crashed"]
    assert record.exc_info is not None
