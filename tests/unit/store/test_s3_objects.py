"""What both S3 clients share: bucket and prefix parsing, addressing (no network)."""

from __future__ import annotations

from cryptonic.store.s3 import S3Store


def test_s3_uri_parsing_without_network() -> None:
    store = S3Store("my-bucket", "/a/b/", client=object())
    assert (store.bucket, store.prefix, store.uri) == ("my-bucket", "a/b", "s3://my-bucket/a/b")
    assert S3Store("my-bucket", client=object()).uri == "s3://my-bucket"
