"""`make bench` (python -m bench [--only NAME ...] [--cold-runs N] [--calls N]).

Writes BENCHMARKS.md and bench/results.json. Benchmarks train real models: minutes, not seconds.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import tempfile
import time

from bench import quality, retrain, serving
from bench.common import ROOT, copy_store, machine, moto_s3
from bench.report import write_report

PARTS = ("retrain", "serving", "footprint", "throughput", "quality")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", nargs="*", choices=PARTS, default=list(PARTS))
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--throughput-seconds", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto server access log

    results_path = ROOT / "bench" / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results["machine"] = machine()
    started = time.perf_counter()
    local = tempfile.mkdtemp(prefix="cryptonic-bench-store-")
    local_uri = f"file://{local}"
    try:
        print("retrain: BTC end to end, default config ...", flush=True)
        trained = retrain.run(local_uri)
        if "retrain" in args.only:
            results["retrain"] = {k: v for k, v in trained.items() if k != "store_uri"}
        if "serving" in args.only:
            with moto_s3() as env:
                s3_uri = "s3://cryptonic-bench/models"
                copy_store(local_uri, s3_uri)
                print(f"serving: cold start x{args.cold_runs} (ours vs TF) ...", flush=True)
                cold = serving.cold_start(env, s3_uri, args.cold_runs)
                print(f"serving: warm latency x{args.calls} ...", flush=True)
                warm = serving.warm_latency(env, s3_uri, args.calls)
            results["serving"] = {"cold_start": cold, "warm": warm}
        if "throughput" in args.only:
            print("throughput: uvicorn + wrk ...", flush=True)
            results["throughput"] = serving.throughput(local_uri, args.throughput_seconds)
        if "footprint" in args.only:
            print("footprint: clean venvs from each function's requirements ...", flush=True)
            results["footprint"] = serving.footprint()
        if "quality" in args.only:
            print("quality: backtests (3 seeds each) ...", flush=True)
            results["quality"] = quality.run()
    finally:
        shutil.rmtree(local, ignore_errors=True)
    results["elapsed_seconds"] = time.perf_counter() - started
    results_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    write_report(results, ROOT / "BENCHMARKS.md")
    print(
        f"wrote BENCHMARKS.md and {results_path.relative_to(ROOT)} "
        f"in {results['elapsed_seconds']:.0f} s"
    )


if __name__ == "__main__":
    main()
