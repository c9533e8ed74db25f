"""open_store: the URIs it opens, and a local store never imports an S3 client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cryptonic.errors import ConfigError
from cryptonic.store.local import LocalStore
from cryptonic.store.uri import open_store
from tests.fixtures.paths import REPO


def test_open_store_file_uris(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    rel = open_store("file://models/here")
    assert isinstance(rel, LocalStore)
    assert rel.root == tmp_path / "models" / "here"
    default = open_store(None)
    assert isinstance(default, LocalStore)
    assert default.root == tmp_path / ".cryptonic"
    absolute = open_store(f"file://{tmp_path}/abs")
    assert isinstance(absolute, LocalStore)
    assert absolute.root == tmp_path / "abs"
    assert open_store(absolute.uri).root == absolute.root  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "uri", ["ftp://x/y", "models", "s3://", "s3:///prefix", "file://", "s3://UPPER/x", "s3://a/x"]
)
def test_bad_uris_raise_config_error(uri: str) -> None:
    with pytest.raises(ConfigError, match=r"(?i)uri|bucket"):
        open_store(uri)


def test_local_store_does_not_import_boto3(tmp_path: Path) -> None:
    code = (
        "import sys; from cryptonic.store.uri import open_store; "
        f"s = open_store('file://{tmp_path}/s'); s.put_bytes('a', b'1'); s.get_bytes('a'); "
        "s.list(); import cryptonic.registry.registry; "
        "bad = [m for m in ('boto3', 'botocore') if m in sys.modules]; "
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    root = REPO
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr + result.stdout


SERVING_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_SESSION_TOKEN": "token",
    "AWS_REGION": "eu-west-1",
}


@pytest.fixture
def serving_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """What the Lambda runtime sets (no network: opening a store sends nothing)."""
    from tests.fixtures.s3 import isolate_aws_env

    isolate_aws_env(monkeypatch)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    for name, value in SERVING_ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_serving_opens_the_reader_where_it_can_sign(serving_env: pytest.MonkeyPatch) -> None:
    from cryptonic.store.budget import BATCH, SERVING
    from cryptonic.store.s3 import S3Store
    from cryptonic.store.s3_reader import S3ReadOnlyStore

    store = open_store("s3://model-bucket/models", read_only=True)
    assert isinstance(store, S3ReadOnlyStore)
    assert store.endpoint.url == "https://model-bucket.s3.eu-west-1.amazonaws.com"
    assert store.budget == SERVING
    writer = open_store("s3://model-bucket/models")
    assert isinstance(writer, S3Store)
    assert writer.budget == BATCH


@pytest.mark.parametrize(
    "env",
    [
        {"AWS_REGION": "cn-north-1"},
        {"AWS_REGION": "us-gov-west-1"},
        {"AWS_USE_FIPS_ENDPOINT": "true"},
        {"AWS_USE_DUALSTACK_ENDPOINT": "true"},
        {"AWS_ENDPOINT_URL_S3": "https://s3.cn-north-1.amazonaws.com.cn"},
        {"AWS_ENDPOINT_URL_S3": "https://s3-fips.us-east-1.amazonaws.com"},
        {"AWS_ENDPOINT_URL": "https://s3.dualstack.eu-west-1.amazonaws.com"},
        {"AWS_REGION": None, "AWS_DEFAULT_REGION": None},
    ],
    ids=lambda env: ",".join(f"{k}={v}" for k, v in env.items()),
)
def test_serving_falls_back_to_botocore_where_the_reader_cannot_sign(
    serving_env: pytest.MonkeyPatch, env: dict[str, str | None]
) -> None:
    from cryptonic.store.budget import SERVING
    from cryptonic.store.s3 import S3Store

    for name, value in env.items():
        if value is None:
            serving_env.delenv(name, raising=False)
        else:
            serving_env.setenv(name, value)
    store = open_store("s3://model-bucket/models", read_only=True)
    assert isinstance(store, S3Store)
    assert store.budget == SERVING  # the fallback keeps serving's time limits


def test_a_dotted_bucket_falls_back_to_botocore(serving_env: pytest.MonkeyPatch) -> None:
    from cryptonic.store.s3 import S3Store

    assert isinstance(open_store("s3://my.dotted.bucket/models", read_only=True), S3Store)
