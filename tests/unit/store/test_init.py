"""The package's contract module: open_store's URIs, and importing it costs no S3 client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cryptonic.errors import ConfigError
from cryptonic.store import LocalStore, open_store


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
        "import sys; from cryptonic.store import open_store; "
        f"s = open_store('file://{tmp_path}/s'); s.put_bytes('a', b'1'); s.get_bytes('a'); "
        "s.list(); import cryptonic.registry; "
        "bad = [m for m in ('boto3', 'botocore') if m in sys.modules]; "
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr + result.stdout
