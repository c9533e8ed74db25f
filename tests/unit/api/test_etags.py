"""ETags of served bodies and ``If-None-Match`` matching."""

from __future__ import annotations

import pytest

from cryptonic.api.etags import body_etag, etag_matches


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"v1.abc"', True),
        ('W/"v1.abc"', True),
        ('"other", "v1.abc"', True),
        ("*", True),
        ("v1.abc", True),
        ('"v1.abd"', False),
        ("", False),
    ],
)
def test_etag_matches(header, expected):
    assert etag_matches(header, '"v1.abc"') is expected


def test_body_etag_names_the_body_and_its_prefix():
    etag = body_etag(b"{}", "v1")
    assert etag.startswith('"v1.')
    assert etag.endswith('"')
    assert len(etag.strip('"').split(".")[1]) == 16
    assert body_etag(b"{}", "v1") == etag
    assert body_etag(b"{ }", "v1") != etag
    assert body_etag(b"{}") == '"' + etag.strip('"').split(".")[1] + '"'
