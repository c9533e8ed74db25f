"""Many tickers in one serving process: memory and latency with 200 champions.

The retrained BTC champion's artifacts are published under 200 tickers into a fresh local store,
through the registry (real manifests, checksums and champion pointers; each forecast.json
rewritten to name its ticker), so what is measured is what a store of 200 tickers would serve.
Then, in fresh interpreters (no TensorFlow, nothing cached), the real handler (FastAPI + Mangum)
answers ``GET /predict?ticker=X``:

* RSS after start (nothing loaded) and after the first request of every ticker, and the peak
  (``VmHWM``: ``ru_maxrss`` would report the bench's own TensorFlow process, as Linux carries it
  across the exec);
* the first request of a cold ticker (champion pointer, manifest, verified artifacts, bodies);
* warm requests round-robin across the tickers (from memory; the TTL is set long, so these are
  the no-I/O path and not the pointer checks);
* the same with ``MAX_LOADED_TICKERS=50``: how far the LRU bounds the memory, and the warm
  requests round-robin across the 50 it keeps.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import time
from typing import Any

from bench.common import PY, ROOT, median, percentile

TICKERS = 200
BOUNDED = 50
WARM_ROUNDS = 25

MEASURE = r"""
import json, sys, time

def rss_mb(field="VmRSS"):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")

tickers = json.loads(sys.argv[1])
rounds, warm_count = int(sys.argv[2]), int(sys.argv[3])
with open(sys.argv[4]) as fh:
    template = json.load(fh)
t0 = time.perf_counter()
from mangum import Mangum
from cryptonic.api import create_app
from cryptonic.api.app import serving_state
app = create_app()
handler = Mangum(app, lifespan="off")
state = serving_state(app)
started_s = time.perf_counter() - t0

def event(ticker):
    e = json.loads(json.dumps(template))
    e["rawQueryString"] = f"ticker={ticker}"
    e["queryStringParameters"] = {"ticker": ticker}
    return e

events = {t: event(t) for t in tickers}
rss_start = rss_mb()
cold = []
for t in tickers:
    s = time.perf_counter_ns()
    r = handler(events[t], None)
    cold.append((time.perf_counter_ns() - s) / 1e6)
    if r["statusCode"] != 200 or json.loads(r["body"])["ticker"] != t:
        raise SystemExit(f"{t}: {r['statusCode']} {r['body'][:300]}")
rss_loaded = rss_mb()
warm_set = tickers[-warm_count:]
warm = []
for _ in range(rounds):
    for t in warm_set:
        s = time.perf_counter_ns()
        r = handler(events[t], None)
        warm.append((time.perf_counter_ns() - s) / 1e6)
        if r["statusCode"] != 200:
            raise SystemExit(f"warm {t}: {r['statusCode']}")
heavy = [m for m in ("tensorflow", "keras", "pandas") if m in sys.modules]
print(json.dumps({
    "start_s": started_s, "rss_start_mb": rss_start, "rss_loaded_mb": rss_loaded,
    "rss_peak_mb": rss_mb("VmHWM"),
    "cold_ms": cold, "warm_ms": warm, "warm_tickers": len(warm_set),
    "loaded": len(state.cache.loaded()), "evictions": state.cache.evictions, "heavy": heavy,
}))
"""


def publish_many(source_uri: str, target_uri: str, count: int = TICKERS) -> list[str]:
    """The source's BTC champion published (and promoted) under ``count`` tickers."""
    from cryptonic.registry.keys import FORECAST_NAME
    from cryptonic.registry.manifest import ManifestDraft
    from cryptonic.registry.registry import new_version_id, open_registry

    source = open_registry(source_uri)
    version = source.resolve_version("BTC-USD")
    manifest = source.manifest("BTC-USD", version)
    files = {
        name: source.load_artifact("BTC-USD", version, name, manifest=manifest)
        for name in manifest.artifacts
    }
    forecast = json.loads(files[FORECAST_NAME])
    fields = manifest.model_dump(exclude={"version", "artifacts"}, exclude_unset=True)
    target = open_registry(target_uri)
    new_version = new_version_id(dt.datetime.now(dt.UTC))
    tickers = [f"T{i:03d}-USD" for i in range(count)]
    for ticker in tickers:
        own = {**forecast, "ticker": ticker, "model_version": new_version}
        artifacts = {**files, FORECAST_NAME: json.dumps(own, indent=2).encode()}
        target.publish(
            ticker, new_version, artifacts, ManifestDraft(**{**fields, "ticker": ticker})
        )
        target.promote(ticker, new_version)
    return tickers


def _measure(store_uri: str, tickers: list[str], max_loaded: int, warm_count: int) -> Any:
    env = {
        **os.environ,
        "STORE_URI": store_uri,
        "TICKERS": tickers[0],  # the rest are found in the store, as a deployment would
        "MAX_LOADED_TICKERS": str(max_loaded),
        "CACHE_TTL_SECONDS": "600",
    }
    done = subprocess.run(
        [
            PY,
            "-c",
            MEASURE,
            json.dumps(tickers),
            str(WARM_ROUNDS),
            str(warm_count),
            str(ROOT / "infra" / "events" / "predict-http-get.json"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"many-tickers measurement failed: {done.stderr[-2000:]}")
    raw: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if raw["heavy"]:
        raise RuntimeError(f"serving imported {raw['heavy']}")
    cold, warm = raw.pop("cold_ms"), raw.pop("warm_ms")
    return {
        "max_loaded_tickers": max_loaded,
        **raw,
        "rss_per_ticker_kb": (raw["rss_loaded_mb"] - raw["rss_start_mb"]) * 1024 / len(tickers),
        "cold_first_request": {
            "p50_ms": percentile(cold, 50),
            "p99_ms": percentile(cold, 99),
            "median_ms": median(cold),
        },
        "warm_get": {
            "requests": len(warm),
            "p50_ms": percentile(warm, 50),
            "p99_ms": percentile(warm, 99),
        },
    }


def run(source_uri: str) -> dict[str, Any]:
    """Publish 200 tickers, then measure unbounded (all loaded) and bounded to 50."""
    folder = tempfile.mkdtemp(prefix="cryptonic-bench-many-")
    try:
        uri = f"file://{folder}"
        t = time.perf_counter()
        tickers = publish_many(source_uri, uri)
        publish_s = time.perf_counter() - t
        every = _measure(uri, tickers, max_loaded=256, warm_count=len(tickers))
        bounded = _measure(uri, tickers, max_loaded=BOUNDED, warm_count=BOUNDED)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "tickers": len(tickers),
        "store": "local file store",
        "publish_seconds": publish_s,
        "all_loaded": every,
        "bounded": bounded,
    }
