"""JSON from outside, parsed within bounds: too large, too deep or not JSON is a ValueError that
says so, never a RecursionError past the handlers."""

from __future__ import annotations

import pytest

from cryptonic.jobs.bounded_json import MAX_DEPTH, loads_bounded, nesting_depth


def test_a_document_within_bounds_parses():
    assert loads_bounded('{"tickers": ["BTC-USD"]}', what="x", max_bytes=100) == {
        "tickers": ["BTC-USD"]
    }
    assert loads_bounded(b"[1, 2]", what="x", max_bytes=100) == [1, 2]


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[[1], {}]", 2),
        ('{"a": "[[[{{{"}', 1),  # brackets in strings do not count
        ('["\\"[[", [[]]]', 3),  # nor after an escaped quote
        ('["\\\\", [[]]]', 3),  # an escaped backslash ends before the quote
    ],
)
def test_the_depth_counts_brackets_outside_strings(text, depth):
    assert nesting_depth(text) == depth


def test_a_deeply_nested_document_is_refused_without_recursion():
    nested = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ValueError, match=f"nested 100000 levels deep; at most {MAX_DEPTH}"):
        loads_bounded(nested, what="the job message", max_bytes=10**6)


def test_a_large_document_is_refused_before_it_is_read():
    with pytest.raises(ValueError, match="the file is 12 bytes; at most 10 are accepted"):
        loads_bounded(b'"0123456789"', what="the file", max_bytes=10)


@pytest.mark.parametrize("data", [b"{not json", b"\xff\xfe"])
def test_what_is_not_json_says_so(data):
    with pytest.raises(ValueError, match="the file is not"):
        loads_bounded(data, what="the file", max_bytes=100)
