"""The retrain Lambda in a clean virtualenv with only functions/retrain/requirements.txt (TF, no
FastAPI) plus the package (--no-deps): the shipped scheduled event retrains against moto's S3
server and promotes a model the serving side can load.

Slow the first time (TensorFlow is installed into .venv-cache/); cached after that.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from cryptonic.registry.registry import Registry
from tests.fixtures.clean_env import function_venv, install_package, venv_python
from tests.fixtures.published import EVENTS_DIR
from tests.fixtures.retrain import TINY_SETTINGS

pytestmark = pytest.mark.slow

INVOKE = """
import json, sys
from functions.retrain.app import handler
summary = handler(json.load(open(sys.argv[1])), None)
heavy = [m for m in ("fastapi", "mangum", "uvicorn", "starlette") if m in sys.modules]
print(json.dumps({"summary": summary, "serving_modules": heavy}))
"""


def test_retrain_handler_in_a_clean_env(s3_store, prices_csv, tmp_path):
    venv = function_venv("retrain")
    python = venv_python(venv)
    target = tmp_path / "site"
    lambda_root = install_package(python, target, "retrain")
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": f"{target}:{lambda_root}",
        "PYTHONNOUSERSITE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "STORE_URI": s3_store.uri,
        "DATA_SOURCE": str(prices_csv),
        "TICKERS": "BTC-USD",
        "EPOCHS": "1",  # what is under test is the environment: any sane first model is promoted
        "LOOKBACK_WEEKS": str(TINY_SETTINGS["lookback_weeks"]),
        "BACKTEST_WEEKS": str(TINY_SETTINGS["backtest_weeks"]),
        **{k: v for k, v in os.environ.items() if k.startswith("AWS_")},
    }
    done = subprocess.run(
        [str(python), "-c", INVOKE, str(EVENTS_DIR / "retrain-scheduled.json")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["serving_modules"] == []
    summary = result["summary"]
    assert summary["ok"] is True, summary
    [btc] = summary["results"]
    assert btc["promoted"] is True
    registry = Registry(s3_store)
    assert registry.champion("BTC-USD").version == btc["version"]
    assert registry.load_artifact("BTC-USD", btc["version"], "model.tflite")[4:8] == b"TFL3"
