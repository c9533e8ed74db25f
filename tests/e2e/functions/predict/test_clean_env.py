"""The serving Lambda in a clean virtualenv with only functions/predict/requirements.txt installed
(no TensorFlow, no pandas) plus the cryptonic package (--no-deps): the shipped API Gateway events
answer 200 against a published local store, and no training module is ever imported.

The venv is cached under .venv-cache/ keyed by the requirements' hash and the Python version; the
package itself is reinstalled into a fresh --target folder on every run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.fixtures.clean_env import (
    folder_bytes,
    function_venv,
    install_package,
    site_packages,
    venv_python,
)
from tests.fixtures.published import EVENTS_DIR, http_event, run_handler_in_subprocess

pytestmark = pytest.mark.slow

API_EVENTS = ["predict-http-get", "predict-http-post", "predict-rest-get", "predict-rest-post"]
SITE_BUDGET_BYTES = 200 * 1024 * 1024
NOT_SERVING = {"pip", "setuptools", "pkg_resources", "_distutils_hack", "__pycache__"}


def test_predict_handler_in_a_clean_env(local_published_registry, tmp_path):
    venv = function_venv("predict")
    python = venv_python(venv)
    site = site_packages(venv)

    # the serving image has no training stack at all
    installed = {p.name.split("-")[0].lower() for p in site.iterdir()}
    assert not {"tensorflow", "keras", "pandas", "yfinance", "matplotlib"} & installed
    size = sum(folder_bytes(p) for p in site.iterdir() if p.name not in NOT_SERVING)
    assert size <= SITE_BUDGET_BYTES, f"serving dependencies take {size / 2**20:.0f} MiB"

    target = tmp_path / "site"
    install_package(python, target, "predict")
    assert (target / "cryptonic" / "api" / "static" / "main.js").exists(), "package data missing"

    events = tmp_path / "events"
    events.mkdir()
    for name in API_EVENTS:
        shutil.copy2(EVENTS_DIR / f"{name}.json", events / f"{name}.json")
    (events / "page-http-get.json").write_text(json.dumps(http_event("GET", "/")))
    (events / "asset-http-get.json").write_text(json.dumps(http_event("GET", "/static/main.js")))

    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": f"{target}:{tmp_path / 'lambda'}",
        "PYTHONNOUSERSITE": "1",
        "STORE_URI": local_published_registry.store.uri,
        "TICKERS": "BTC-USD",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    names = [*API_EVENTS, "page-http-get", "asset-http-get"]
    data = run_handler_in_subprocess(str(python), tmp_path, env, events, names)
    assert data["codes"] == dict.fromkeys(names, 200), data
    assert data["types"]["page-http-get"].startswith("text/html")
    assert data["loaded"] == []
    mib, seconds = size / 2**20, data["import_s"]
    print(f"\nclean env: site-packages {mib:.0f} MiB, handler import {seconds:.2f} s")


def test_serving_venv_python_is_isolated():
    """The cached venv does not see the development venv's packages."""
    python = venv_python(function_venv("predict"))
    result = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('pandas') is None)"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"},
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == "True"
    assert os.path.realpath(sys.prefix) != os.path.realpath(str(python.parent.parent))
