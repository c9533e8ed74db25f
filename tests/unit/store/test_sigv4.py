"""The light S3 client signs exactly as botocore does (the reference SigV4 implementation)."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from cryptonic.store.sigv4 import Credentials, canonical_query, env_credentials, sign


@pytest.mark.parametrize("token", [None, "session-token/with+chars="])
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/models/BTC-USD/champion.json", {}),
        ("/models/%5EGSPC/versions/20261123T192000Z-abc1234/model.tflite", {}),
        ("/", {"list-type": "2", "prefix": "models/BTC-USD/versions/", "max-keys": "1000"}),
        ("/", {"list-type": "2", "prefix": "a b/^x", "continuation-token": "1/2+3=="}),
    ],
)
def test_signature_equals_botocore(path, query, token):
    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    host = "models-bucket.s3.eu-west-1.amazonaws.com"
    url = f"https://{host}{path}" + (f"?{canonical_query(query)}" if query else "")
    request = AWSRequest(method="GET", url=url, headers={})
    boto = BotoCredentials("AKIDEXAMPLE", credentials.secret_key, token)
    S3SigV4Auth(boto, "s3", "eu-west-1").add_auth(request)
    when = dt.datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")

    ours = sign("GET", host, path, query, credentials, "eu-west-1", when.replace(tzinfo=dt.UTC))

    assert ours["authorization"] == request.headers["Authorization"]
    if token:
        assert ours["x-amz-security-token"] == request.headers["X-Amz-Security-Token"]


def test_credentials_and_region_come_from_the_environment():
    env = {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_REGION": "us-east-2"}
    assert env_credentials(env) == (Credentials("a", "b", None), "us-east-2")
    assert env_credentials({**env, "AWS_SESSION_TOKEN": "t"})[0].token == "t"
    assert env_credentials({k: v for k, v in env.items() if k != "AWS_REGION"}) is None
    assert env_credentials({"AWS_REGION": "x"}) is None
