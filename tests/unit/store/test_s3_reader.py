"""The reader's pieces that need no server: construction, paths, and reading S3's XML exactly
as botocore's parser reads it."""

from __future__ import annotations

import pytest
from botocore.parsers import create_parser

from cryptonic.errors import ConfigError, StoreError
from cryptonic.store.s3_errors import Call, S3Failure
from cryptonic.store.s3_reader import S3ReadOnlyStore, _Answer, _failure, _listing
from cryptonic.store.sigv4 import Credentials

CREDENTIALS = Credentials("AKIDEXAMPLE", "secret")


def test_virtual_hosted_and_path_style_paths() -> None:
    hosted = S3ReadOnlyStore("model-bucket", "models", credentials=CREDENTIALS, region="eu-west-1")
    assert hosted._path("models/a b/ü+") == "/models/a%20b/%C3%BC%2B"
    assert hosted._path(None) == "/"
    local = S3ReadOnlyStore(
        "model-bucket", "", credentials=CREDENTIALS, region="us-east-1", endpoint="http://h:1"
    )
    assert local._path("k") == "/model-bucket/k"
    assert local._path(None) == "/model-bucket"


def test_it_refuses_endpoints_it_cannot_sign() -> None:
    with pytest.raises(ConfigError, match="cannot sign for s3://model-bucket/models in cn-north-1"):
        S3ReadOnlyStore("model-bucket", "models", credentials=CREDENTIALS, region="cn-north-1")


@pytest.mark.parametrize("status", [301, 400, 403, 404, 409, 412, 500, 503])
@pytest.mark.parametrize(
    "body",
    [
        b"<Error><Code>SlowDown</Code><Message>Reduce your rate.</Message></Error>",
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        b"<Message>The specified key does not exist.</Message><Key>k</Key>"
        b"<RequestId>r</RequestId><HostId>h</HostId></Error>",
        b"<ErrorResponse><Error><Code>Other</Code><Message>m</Message></Error></ErrorResponse>",
        b"",
        b"<html><body>Bad Gateway</body></html>",
        b"not xml <",
    ],
    ids=["S3 error", "S3 error with prolog", "nested", "no body", "html", "not xml"],
)
def test_error_answers_read_as_botocore_reads_them(status: int, body: bytes) -> None:
    parsed = create_parser("rest-xml").parse(
        {"status_code": status, "headers": {}, "body": body}, None
    )
    theirs = S3Failure.of(status, parsed["Error"]["Code"], parsed["Error"]["Message"])
    assert _failure(_Answer(status, {}, body)) == theirs


def test_the_region_of_an_error_answer() -> None:
    body = (
        b"<Error><Code>AuthorizationHeaderMalformed</Code><Message>m</Message>"
        b"<Region>ap-south-1</Region></Error>"
    )
    assert _failure(_Answer(400, {}, body)).bucket_region == "ap-south-1"
    header = _Answer(301, {"x-amz-bucket-region": "eu-west-1"}, b"")
    assert _failure(header).bucket_region == "eu-west-1"


PAGE = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
<Name>b</Name><Prefix>models/</Prefix><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>
<EncodingType>url</EncodingType><IsTruncated>%s</IsTruncated>
<Contents><Key>models/a%%20b%%2Bc</Key><Size>1</Size></Contents>
<Contents><Key>models/%%C3%%BC/x</Key><Size>1</Size></Contents>
<Contents><Key>models/plus+space</Key><Size>1</Size></Contents>
<CommonPrefixes><Prefix>models/%%5EGSPC/</Prefix></CommonPrefixes>
<CommonPrefixes><Prefix>models/EURUSD%%3DX/</Prefix></CommonPrefixes>
<NextContinuationToken>1/2+3==</NextContinuationToken>
</ListBucketResult>"""

CALL = Call("list", "s3://b/models/", "b", "us-east-1")


def test_listing_pages_are_url_decoded_and_follow_the_token() -> None:
    page = _listing(PAGE % b"true", CALL)
    assert page.keys == ["models/a b+c", "models/ü/x", "models/plus space"]  # " " comes as "+"
    assert page.folders == ["models/^GSPC/", "models/EURUSD=X/"]
    assert page.token == "1/2+3=="
    assert _listing(PAGE % b"false", CALL).token is None


def test_a_listing_that_is_not_xml_is_a_store_error() -> None:
    with pytest.raises(StoreError, match=r"list s3://b/models/: S3 answered something that is"):
        _listing(b"<html", CALL)
