"""``cryptonic.api.local_server.serve``: uvicorn on the given host and port, announcing its URL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures.s3 import free_port

pytestmark = pytest.mark.slow

SCRIPT = """
import sys
from cryptonic.config import Settings
from cryptonic.api.local_server import serve
serve(Settings(store_uri=sys.argv[1]), "127.0.0.1", int(sys.argv[2]))
"""


def test_serve_prints_its_url_and_answers(tmp_path: Path):
    port = free_port()
    store_uri = f"file://{tmp_path / 'store'}"
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, store_uri, str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first == f"cryptonic serving on http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    health = json.load(r)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert health["status"] == "ok"
        assert health["store"] == "file"
    finally:
        process.terminate()
        process.wait(timeout=10)
