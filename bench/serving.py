"""Serving figures: cold start (ours vs the FastAPI + Mangum floor and a TensorFlow handler,
interleaved), warm latency through Mangum, HTTP throughput under wrk, and the dependency footprint
of each Lambda image."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import PY, ROOT, free_port, image_install_mb, median, percentile, rotated

EVENTS = ROOT / "infra" / "events"

OURS = r"""
import time
t0 = time.perf_counter()
import json, sys
from functions.predict.app import handler
t1 = time.perf_counter()
event = json.load(open(sys.argv[1]))
response = handler(event, None)
t2 = time.perf_counter()
body = json.loads(response["body"])
heavy = [m for m in ("tensorflow", "keras", "pandas") if m in sys.modules]
print(json.dumps({"init": t1 - t0, "first": t2 - t1, "total": t2 - t0,
                  "status": response["statusCode"], "points": len(body.get("result", [])),
                  "heavy": heavy}))
"""

FLOOR = r"""
import time
t0 = time.perf_counter()
import json, sys
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/predict")
def predict() -> dict:
    return {"success": True}


handler = Mangum(app, lifespan="off")
t1 = time.perf_counter()
event = json.load(open(sys.argv[1]))
response = handler(event, None)
t2 = time.perf_counter()
print(json.dumps({"init": t1 - t0, "first": t2 - t1, "total": t2 - t0,
                  "status": response["statusCode"]}))
"""
"""The floor of any FastAPI-on-Lambda cold start: those two imports, one trivial route, one GET
through Mangum. What ours costs above it is what cryptonic itself costs."""

TF_BASED = r"""
import time
t0 = time.perf_counter()
import csv, io, json, os, sys, tempfile
import boto3
import numpy as np
import tensorflow as tf
import keras
# registers the quantile head and loss the saved model was built with
import cryptonic.training.model.quantile_head
t1 = time.perf_counter()
bucket, prefix, ticker = sys.argv[1], sys.argv[2], sys.argv[3]
s3 = boto3.client("s3")
pointer = s3.get_object(Bucket=bucket, Key=f"{prefix}/{ticker}/champion.json")
champion = json.loads(pointer["Body"].read())
base = f"{prefix}/{ticker}/versions/{champion['version']}"
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "model.keras")
    s3.download_file(bucket, f"{base}/model.keras", path)
    model = keras.models.load_model(path)
prices = s3.get_object(Bucket=bucket, Key=f"{base}/prices.csv")["Body"].read().decode()
rows = list(csv.DictReader(io.StringIO(prices)))
closes = np.array([float(r["Close"]) for r in rows])
weeks = model.input_shape[1]
window = closes[-weeks * 7:] / closes[-1] - 1.0
out = model.predict(window.reshape(1, weeks, 7).astype("float32"), verbose=0)[0]
if out.ndim == 2:  # (7 days, quantiles): the median is the point forecast
    out = out[:, out.shape[1] // 2]
forecast = (closes[-1] * (1 + out)).tolist()
body = json.dumps({"success": True, "result": forecast})
t2 = time.perf_counter()
print(json.dumps({"init": t1 - t0, "first": t2 - t1, "total": t2 - t0, "points": len(forecast)}))
"""


def _run_script(code: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [PY, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"cold-start script failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_wall"] = wall
    return result


def cold_start(s3_env: dict[str, str], store_uri: str, runs: int = 10) -> dict[str, Any]:
    """N fresh processes each of ours, the FastAPI + Mangum floor and the TF-based handler,
    interleaved (so a noisy neighbour hits all three alike), same S3 server."""
    bucket, _, prefix = store_uri.removeprefix("s3://").partition("/")
    env = {**os.environ, **s3_env, "STORE_URI": store_uri, "TF_CPP_MIN_LOG_LEVEL": "3"}
    event = str(EVENTS / "predict-http-get.json")
    arms = {
        "ours": (OURS, [event]),
        "floor": (FLOOR, [event]),
        "tf": (TF_BASED, [bucket, prefix, "BTC-USD"]),
    }
    timed: dict[str, list[dict[str, Any]]] = {name: [] for name in arms}
    for round_index in range(runs):
        for name in rotated(list(arms), round_index):
            code, args = arms[name]
            timed[name].append(_run_script(code, args, env))
    ours, floor, theirs = timed["ours"], timed["floor"], timed["tf"]
    bad = [o for o in ours if o["status"] != 200 or o["points"] != 7 or o["heavy"]]
    if bad:
        raise RuntimeError(f"our cold start did not serve a clean forecast: {bad[0]}")
    if any(f["status"] != 200 for f in floor):
        raise RuntimeError(f"the FastAPI + Mangum floor did not answer 200: {floor[0]}")

    def summary(rows: list[dict[str, Any]]) -> dict[str, float]:
        return {k: median([r[k] for r in rows]) for k in ("init", "first", "total", "process_wall")}

    a, f, b = summary(ours), summary(floor), summary(theirs)
    return {
        "runs": runs,
        "ours": a,
        "floor": f,
        "tf_based": b,
        "over_floor_total": a["total"] - f["total"],
        "ratio_total": b["total"] / a["total"],
        "ratio_process": b["process_wall"] / a["process_wall"],
    }


def warm_latency(s3_env: dict[str, str], store_uri: str, calls: int = 10_000) -> dict[str, Any]:
    """Warm invocations of the real Mangum handler, in this process, timed one by one."""
    os.environ.update({**s3_env, "STORE_URI": store_uri})
    from functions.predict.app import handler

    results: dict[str, Any] = {"calls": calls}
    context: Any = None  # Mangum types it LambdaContext; the handler never reads it
    for name, file in (("get", "predict-http-get.json"), ("post", "predict-http-post.json")):
        event = json.loads((EVENTS / file).read_text())
        for _ in range(200):  # warm-up: caches, interpreter, allocator
            response = handler(event, context)
        if response["statusCode"] != 200:
            raise RuntimeError(
                f"{name} /predict answered {response['statusCode']}: {response['body']}"
            )
        samples = []
        for _ in range(calls):
            t = time.perf_counter_ns()
            handler(event, context)
            samples.append((time.perf_counter_ns() - t) / 1e6)
        results[name] = {
            "p50_ms": percentile(samples, 50),
            "p99_ms": percentile(samples, 99),
            "mean_ms": sum(samples) / len(samples),
        }
    return results


def throughput(store_uri: str, seconds: int = 10, connections: int = 32) -> dict[str, Any]:
    """uvicorn serving GET /predict, loaded by wrk from a separate process, loopback only."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return {"skipped": "wrk is not installed (make bench installs it: apt-get install wrk)"}
    port = free_port()
    server = subprocess.Popen(
        [PY, "-m", "cryptonic.cli", "serve", "--store", store_uri, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "STORE_URI": store_uri},
    )
    url = f"http://127.0.0.1:{port}/predict?ticker=BTC-USD"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("uvicorn did not come up in 60 s") from None
                time.sleep(0.2)
        done = subprocess.run(
            [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    return {
        "seconds": seconds,
        "connections": connections,
        "requests": total,
        "requests_per_second": rps,
        "errors": errors,
        "latency_p50": p50.group(1) if p50 else None,
        "latency_p99": p99.group(1) if p99 else None,
        "command": f"wrk -t2 -c{connections} -d{seconds}s --latency "
        f"{url.replace(str(port), 'PORT')}",
    }


def footprint() -> dict[str, Any]:
    """Dependencies each image installs, from its requirements file, as its Dockerfile does."""
    base = Path(tempfile.mkdtemp(prefix="cryptonic-footprint-"))
    try:
        predict = image_install_mb(base / "predict", ROOT / "functions/predict/requirements.txt")
        retrain = image_install_mb(base / "retrain", ROOT / "functions/retrain/requirements.txt")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return {"predict_mb": predict, "retrain_mb": retrain, "ratio": retrain / predict}


LITERT = r"""
import time
t0 = time.perf_counter()
import sys
from cryptonic.forecast.predictor import Predictor
t1 = time.perf_counter()
predictor = Predictor(open(sys.argv[1], "rb").read(), arch=sys.argv[2])
t2 = time.perf_counter()
import numpy as np
closes = np.linspace(60000, 65000, predictor.lookback)
predictor.predict_closes(closes)
t3 = time.perf_counter()
print(f"{t1 - t0} {t2 - t1} {t3 - t2}")
"""


def litert(store_uri: str, calls: int = 10_000) -> dict[str, Any]:
    """The serving model alone: LiteRT import, model load, first and warm predictions, parity."""
    import numpy as np

    from cryptonic.forecast.predictor import Predictor
    from cryptonic.registry.registry import open_registry

    registry = open_registry(store_uri)
    version = registry.resolve_version("BTC-USD")
    manifest = registry.manifest("BTC-USD", version)
    tflite = registry.load_artifact("BTC-USD", version, "model.tflite", manifest=manifest)
    arch = manifest.model.arch
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.tflite"
        path.write_bytes(tflite)
        runs = []
        for _ in range(10):
            done = subprocess.run(
                [PY, "-c", LITERT, str(path), arch],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=True,
            )
            runs.append([float(v) for v in done.stdout.split()])
    predictor = Predictor(tflite, arch=arch)
    closes = np.linspace(60000, 65000, predictor.lookback)
    for _ in range(200):
        predictor.predict_closes(closes)
    samples = []
    for _ in range(calls):
        t = time.perf_counter_ns()
        predictor.predict_closes(closes)
        samples.append((time.perf_counter_ns() - t) / 1e6)
    return {
        "tflite_bytes": len(tflite),
        "import_s": median([r[0] for r in runs]),
        "load_s": median([r[1] for r in runs]),
        "first_predict_s": median([r[2] for r in runs]),
        "predict_p50_ms": percentile(samples, 50),
        "predict_p99_ms": percentile(samples, 99),
        "parity_max_abs_diff": manifest.export.parity_max_abs_diff if manifest.export else None,
        "parity_windows": manifest.export.windows_checked if manifest.export else None,
    }
