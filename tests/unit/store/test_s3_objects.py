"""What both S3 clients share: bucket and prefix parsing, addressing, listings (no network)."""

from __future__ import annotations

import pytest

from cryptonic.store.contract import FolderListing
from cryptonic.store.s3 import S3Store
from tests.fixtures.s3 import isolate_aws_env


@pytest.fixture(autouse=True)
def _no_machine_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_aws_env(monkeypatch)


def test_s3_uri_parsing_without_network() -> None:
    store = S3Store("my-bucket", "/a/b/")
    assert (store.bucket, store.prefix, store.uri) == ("my-bucket", "a/b", "s3://my-bucket/a/b")
    assert S3Store("my-bucket").uri == "s3://my-bucket"


def test_a_delimiter_listing_is_relative_to_the_root() -> None:
    store = S3Store("my-bucket", "models")
    listing = store._folder_listing(
        ["models/b.json", "models/a.json", "models/", "other/x"],
        ["models/ETH-USD/", "models/BTC-USD/", "models/", "other/"],
    )
    assert listing == FolderListing(("BTC-USD/", "ETH-USD/"), ("a.json", "b.json"))
    assert S3Store("my-bucket")._folder_listing(["k"], ["f/"]) == FolderListing(("f/",), ("k",))
