"""Which endpoints the stdlib reader signs for; everything else is botocore's."""

from __future__ import annotations

import pytest

from cryptonic.store.endpoints import ReaderEndpoint, reader_endpoint


def test_the_commercial_partition_is_virtual_hosted() -> None:
    target = reader_endpoint("model-bucket", "eu-west-1")
    assert target == ReaderEndpoint(True, "model-bucket.s3.eu-west-1.amazonaws.com", "")
    assert target.url == "https://model-bucket.s3.eu-west-1.amazonaws.com"
    for region in ("us-east-1", "ap-southeast-2", "me-central-1", "il-central-1", "mx-central-1"):
        assert reader_endpoint("model-bucket", region) is not None, region


def test_an_override_is_path_style() -> None:
    assert reader_endpoint("model-bucket", "us-east-1", "http://127.0.0.1:5000") == ReaderEndpoint(
        False, "127.0.0.1:5000", "/model-bucket"
    )
    assert reader_endpoint("b-1", "us-east-1", "https://minio.local/s3/") == ReaderEndpoint(
        True, "minio.local", "/s3/b-1"
    )
    # an override decides the host, so any region name the server accepts will do
    assert reader_endpoint("b-1", "local", "http://localhost:4566") is not None


@pytest.mark.parametrize(
    "region",
    [
        "cn-north-1",
        "cn-northwest-1",
        "us-gov-west-1",
        "us-iso-east-1",
        "us-isob-east-1",
        "eusc-de-east-1",
        "",
        "nowhere",
    ],
)
def test_other_partitions_go_to_botocore(region: str) -> None:
    assert reader_endpoint("model-bucket", region) is None


@pytest.mark.parametrize(
    "override",
    [
        "https://s3.cn-north-1.amazonaws.com.cn",
        "https://s3-fips.us-east-1.amazonaws.com",
        "https://s3.dualstack.us-east-1.amazonaws.com",
        "https://s3-fips.dualstack.us-east-2.amazonaws.com",
        "https://s3.us-gov-west-1.amazonaws.com",
        "ftp://127.0.0.1:21",
        "not a url",
    ],
)
def test_overrides_it_cannot_sign_go_to_botocore(override: str) -> None:
    assert reader_endpoint("model-bucket", "us-east-1", override) is None


@pytest.mark.parametrize("flag", ["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"])
def test_fips_and_dual_stack_switches_go_to_botocore(flag: str) -> None:
    assert reader_endpoint("model-bucket", "us-east-1", env={flag: "true"}) is None
    assert reader_endpoint("model-bucket", "us-east-1", env={flag: "false"}) is not None


@pytest.mark.parametrize("bucket", ["my.dotted.bucket", "directory--use1-az4--x-s3"])
def test_buckets_that_are_no_plain_host_label_go_to_botocore(bucket: str) -> None:
    assert reader_endpoint(bucket, "us-east-1") is None
