"""`cryptonic serve` and `cryptonic run`: what they hand the local server (not started here)."""

from __future__ import annotations

from typing import Any

import pytest

from cryptonic.cli.main import main
from cryptonic.config import Settings


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The server and the first training, recorded instead of run."""
    import cryptonic.api.local_server
    import cryptonic.jobs.retrain.first_models

    seen: list[tuple[Any, ...]] = []

    def serve(settings: Settings, host: str, port: int) -> None:
        seen.append(("serve", settings.store_uri, host, port))

    def ensure_models(settings: Settings) -> None:
        seen.append(("ensure_models", settings.store_uri))

    monkeypatch.setattr("cryptonic.cli.main.configure_logging", lambda **kw: None)
    monkeypatch.setattr(cryptonic.api.local_server, "serve", serve)
    monkeypatch.setattr(cryptonic.jobs.retrain.first_models, "ensure_models", ensure_models)
    return seen


def test_serve_serves_the_store_named_on_host_and_port(calls) -> None:
    assert main(["serve", "--store", "file:///tmp/models", "--port", "8123"]) == 0
    assert calls == [("serve", "file:///tmp/models", "127.0.0.1", 8123)]


def test_run_makes_sure_of_a_model_then_serves(calls) -> None:
    assert main(["run", "--store", "file:///tmp/models", "--host", "0.0.0.0"]) == 0
    assert calls == [
        ("ensure_models", "file:///tmp/models"),
        ("serve", "file:///tmp/models", "0.0.0.0", 8000),
    ]
