"""The serving Lambda in a clean virtualenv with only functions/predict/requirements.txt installed
(no TensorFlow, no pandas) plus the cryptonic package (--no-deps): the shipped API Gateway events
answer 200 against a published local store, and no training module is ever imported.

The venv is cached under .venv-cache/ keyed by the requirements' hash and the Python version; the
package itself is reinstalled into a fresh --target folder on every run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.fixtures.published import EVENTS_DIR, http_event, run_handler_in_subprocess

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO / "functions" / "predict" / "requirements.txt"
CACHE = REPO / ".venv-cache"
API_EVENTS = ["predict-http-get", "predict-http-post", "predict-rest-get", "predict-rest-post"]
SITE_BUDGET_BYTES = 200 * 1024 * 1024
NOT_SERVING = {"pip", "setuptools", "pkg_resources", "_distutils_hack", "__pycache__"}


def _run(*args: str, timeout: float = 600) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, (
        f"{' '.join(args)}\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
    )


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def serving_venv() -> Path:
    """A venv with exactly the serving requirements (built once per requirements hash)."""
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()[:12]
    venv = CACHE / f"predict-{key}"
    if (venv / ".complete").exists():
        return venv
    CACHE.mkdir(exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f"predict-{key}-", dir=CACHE))
    try:
        _run(sys.executable, "-m", "venv", "--clear", str(building))
        _run(
            str(_venv_python(building)),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(REQUIREMENTS),
        )
        (building / ".complete").write_text(REQUIREMENTS.read_text())
        if venv.exists():  # a half-built leftover, or another run finished first
            shutil.rmtree(venv, ignore_errors=True)
        try:
            building.rename(venv)
        except OSError:
            if not (venv / ".complete").exists():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    # A venv's scripts hard-code its path: the renamed venv's python is still usable by path
    # (python -m pip, python -c), which is all this test uses.
    return venv


def site_packages(venv: Path) -> Path:
    found = list((venv / "lib").glob("python3*/site-packages"))
    assert len(found) == 1, found
    return found[0]


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def install_package(python: Path, target: Path) -> None:
    """``pip install --no-deps`` of a clean copy of the package (not of the work tree itself)."""
    stage = target.parent / "stage"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "cryptonic", stage / "cryptonic", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, stage / name)
        else:
            (stage / name).write_text("cryptonic\n")
    _run(
        str(python),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--target",
        str(target),
        str(stage),
    )
    functions = target.parent / "lambda" / "functions"
    functions.mkdir(parents=True)
    shutil.copy2(REPO / "functions" / "__init__.py", functions / "__init__.py")
    shutil.copytree(REPO / "functions" / "predict", functions / "predict", ignore=ignore)


def test_predict_handler_in_a_clean_env(local_published_registry, tmp_path):
    venv = serving_venv()
    python = _venv_python(venv)
    site = site_packages(venv)

    # the serving image has no training stack at all
    installed = {p.name.split("-")[0].lower() for p in site.iterdir()}
    assert not {"tensorflow", "keras", "pandas", "yfinance", "matplotlib"} & installed
    size = sum(folder_bytes(p) for p in site.iterdir() if p.name not in NOT_SERVING)
    assert size <= SITE_BUDGET_BYTES, f"serving dependencies take {size / 2**20:.0f} MiB"

    target = tmp_path / "site"
    install_package(python, target)
    assert (target / "cryptonic" / "api" / "static" / "app.js").exists(), "package data missing"

    events = tmp_path / "events"
    events.mkdir()
    for name in API_EVENTS:
        shutil.copy2(EVENTS_DIR / f"{name}.json", events / f"{name}.json")
    (events / "page-http-get.json").write_text(json.dumps(http_event("GET", "/")))
    (events / "asset-http-get.json").write_text(json.dumps(http_event("GET", "/static/app.js")))

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
    python = _venv_python(serving_venv())
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
