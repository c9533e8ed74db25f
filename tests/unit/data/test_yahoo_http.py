"""``parse_retry_after``: both forms of the header (RFC 9110 section 10.2.3), and garbage."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.data.yahoo_http import parse_retry_after

NOW = dt.datetime(2024, 1, 31, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Wed, 31 Jan 2024 12:00:30 GMT", 30.0),
        ("Wed, 31 Jan 2024 11:59:00 GMT", 0.0),  # already past: go now
        ("-3", 0.0),
    ],
)
def test_seconds_and_http_dates_are_read(header: str, seconds: float) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize("header", [None, "", "   ", "soon", "inf", "nan"])
def test_absent_or_unreadable_means_no_advice(header: str | None) -> None:
    assert parse_retry_after(header, now=NOW) is None
