"""The cold start: the default champion's warm-up runs in a thread while FastAPI is imported."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from cryptonic.api import serving_state
from cryptonic.api.cold_start import started_app
from cryptonic.api.state.serving import ServingState
from cryptonic.config import Settings


def test_importing_the_cold_start_leaves_fastapi_unimported() -> None:
    """What the warm-up needs is importable first: FastAPI comes after the thread started."""
    code = "import sys, cryptonic.api.cold_start; print('fastapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_warm_up_runs_in_its_own_thread_and_is_joined(monkeypatch, local_store_uri) -> None:
    seen: list[tuple[str, ServingState]] = []

    def warm(self: ServingState) -> str | None:
        time.sleep(0.05)
        seen.append((threading.current_thread().name, self))
        return None

    monkeypatch.setattr(ServingState, "warm", warm)
    app = started_app(Settings(store_uri=local_store_uri))
    assert [name for name, _ in seen] == ["cryptonic-warm-up"], "done before the app is returned"
    assert seen[0][1] is serving_state(app), "it warmed the state the app serves from"


@pytest.mark.parametrize("deadline_s", [0.2, 0.0])
def test_a_warm_up_past_its_deadline_does_not_hold_the_start(
    monkeypatch, local_store_uri, deadline_s
) -> None:
    release = threading.Event()
    monkeypatch.setattr(ServingState, "warm", lambda self: release.wait(10))
    settings = Settings(store_uri=local_store_uri, warm_deadline_seconds=deadline_s)
    started = time.monotonic()
    try:
        app = started_app(settings)
        took = time.monotonic() - started
    finally:
        release.set()
    assert serving_state(app).settings is settings
    assert took < deadline_s + 1.0, f"the start waited {took:.2f} s for a warm-up past its deadline"
