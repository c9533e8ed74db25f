"""`cryptonic models` in-process (cryptonic.cli.models) against an S3 endpoint."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.cli.main import main
from tests.fixtures.published import manifest_draft

pytestmark = pytest.mark.slow


def test_models_commands_against_an_s3_endpoint(s3_store_uri, capsys):
    """`cryptonic models list|promote|rollback` over HTTP to moto's S3 server."""
    from cryptonic.registry.registry import new_version_id, open_registry

    registry = open_registry(s3_store_uri)
    versions = []
    for minute in (1, 2):
        version = new_version_id(dt.datetime(2026, 11, 1, 6, minute))
        registry.publish("BTC-USD", version, {"model.tflite": b"x"}, manifest_draft())
        versions.append(version)
    assert main(["models", "promote", versions[0], "--store", s3_store_uri, "--yes"]) == 0
    assert main(["models", "promote", versions[1], "--store", s3_store_uri, "--yes"]) == 0
    assert main(["models", "list", "--store", s3_store_uri]) == 0
    listing = capsys.readouterr().out
    assert f"*  {versions[1]}" in listing
    assert versions[0] in listing
    assert main(["models", "rollback", "--store", s3_store_uri]) == 0
    assert registry.champion("BTC-USD").version == versions[0]
    assert main(["models", "rollback", "--store", s3_store_uri]) == 2
    assert "no previous champion" in capsys.readouterr().err


def test_promote_asks_and_refuses_without_a_terminal(s3_store_uri, capsys, monkeypatch):
    """Interactive by default; no terminal and no --yes: refused, the champion unchanged."""
    import io

    from cryptonic.registry.registry import new_version_id, open_registry

    registry = open_registry(s3_store_uri)
    versions = []
    for minute in (1, 2):
        version = new_version_id(dt.datetime(2026, 11, 1, 6, minute))
        registry.publish("BTC-USD", version, {"model.tflite": b"x"}, manifest_draft())
        versions.append(version)
    registry.promote("BTC-USD", versions[0])
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # not a terminal
    assert main(["models", "promote", versions[1], "--store", s3_store_uri]) == 2
    captured = capsys.readouterr()
    assert f"champion  {versions[0]}: no live record yet" in captured.out
    assert f"candidate {versions[1]}: no live record yet" in captured.out
    assert "stdin is not a terminal: pass --yes" in captured.err
    assert registry.champion("BTC-USD").version == versions[0]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(["models", "promote", versions[1], "--store", s3_store_uri]) == 1
    assert "not promoted: the champion is unchanged" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert main(["models", "promote", versions[1], "--store", s3_store_uri]) == 0
    assert f"promote {versions[1]} to champion of BTC-USD? [y/N]" in capsys.readouterr().out
    assert registry.champion("BTC-USD").version == versions[1]
