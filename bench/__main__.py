"""`make bench` (python -m bench [--only NAME ...] [--cold-runs N] [--calls N] [--csv-folder DIR]).

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import (
    calibration,
    calibration_step,
    cold_start_suspects,
    images,
    many_tickers,
    quality,
    retrain,
    scaling,
    serving,
    serving_scale,
)
from bench.common import ROOT, compile_sources, copy_store, machine, moto_s3
from bench.report import write_report

RESEARCH = {"calibration_step"}
"""Parts that run only when named (``--only``): the calibration step's sweep trains the default
model on 33 series (about 20 minutes on 2 cores); its figures stay in bench/results.json."""
NEEDS_CHAMPION = {"retrain", "serving", "litert", "throughput", "many_tickers", "images"}
"""Parts that serve (or are) the retrained BTC champion; the others make their own models."""
PARTS = (
    "retrain",
    "serving",
    "litert",
    "footprint",
    "throughput",
    "many_tickers",
    "serving_scale",
    "quality",
    "calibration",
    "calibration_step",
    "images",
    "scaling",
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "--only", nargs="*", choices=PARTS, default=[p for p in PARTS if p not in RESEARCH]
    )
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--throughput-seconds", type=int, default=10)
    parser.add_argument("--scale-tickers", type=int, default=serving_scale.TICKERS)
    parser.add_argument(
        "--csv-folder",
        type=Path,
        help="CSVs (<NAME>.csv, Yahoo's layout) the calibration parts backtest beside BTC",
    )
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto server access log

    results_path = ROOT / "bench" / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results["machine"] = machine()
    started = time.perf_counter()
    compile_sources()  # as the image does: no cold start below compiles our sources
    local = tempfile.mkdtemp(prefix="cryptonic-bench-store-")
    local_uri = f"file://{local}"

    def part(name: str, label: str, run: Callable[[], Any]) -> None:
        """Run one benchmark; a failure is recorded in the results, the others still run."""
        if name not in args.only:
            return
        print(f"{name}: {label} ...", flush=True)
        try:
            results[name] = run()
        except Exception as exc:
            logging.exception("benchmark %s failed", name)
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        results_path.write_text(json.dumps(results, indent=2, default=str) + "\n")

    try:
        if NEEDS_CHAMPION & set(args.only):
            print("retrain: BTC end to end, default config (also the champion served below) ...")
            trained = retrain.run(local_uri)
            if "retrain" in args.only:
                results["retrain"] = {k: v for k, v in trained.items() if k != "store_uri"}

        def serving_figures() -> dict[str, Any]:
            with moto_s3() as env:
                s3_uri = "s3://cryptonic-bench/models"
                copy_store(local_uri, s3_uri)
                cold = serving.cold_start(env, s3_uri, args.cold_runs)
                suspects = cold_start_suspects.run(env, s3_uri, args.cold_runs)
                warm = serving.warm_latency(env, s3_uri, args.calls)
            return {"cold_start": cold, "suspects": suspects, "warm": warm}

        part(
            "serving",
            f"cold start x{args.cold_runs} (ours, FastAPI + Mangum floor, TF; the suspects of ours "
            f"above the floor, interleaved), warm x{args.calls}",
            serving_figures,
        )
        part(
            "litert", "the .tflite alone: load, predict, parity", lambda: serving.litert(local_uri)
        )
        part(
            "throughput",
            "uvicorn + wrk",
            lambda: serving.throughput(local_uri, args.throughput_seconds),
        )
        part(
            "many_tickers",
            "200 tickers in one process: RSS, cold and warm GET /predict, MAX_LOADED_TICKERS=50",
            lambda: many_tickers.run(local_uri),
        )
        part(
            "serving_scale",
            f"{args.scale_tickers:,} tickers on S3 at 30 ms a request, then on a dead S3: "
            "S3 requests and time of the cold start, /tickers, an unknown ticker, a page load",
            lambda: serving_scale.run(args.scale_tickers),
        )
        part("footprint", "what each image installs (pip --target)", serving.footprint)
        part("quality", "backtests (3 seeds each)", quality.run)
        part(
            "calibration",
            "fit-time against adaptive calibration, 104 weekly origins per series",
            lambda: calibration.run(args.csv_folder),
        )
        part(
            "calibration_step",
            "the adaptive step's sweep: synthetic series, then real ones",
            lambda: calibration_step.run(args.csv_folder),
        )
        part("scaling", "per-ticker costs: retrain, rerun, refresh, dispatch", scaling.run)
        part(
            "images",
            "Lambda images: build, sizes, first invocation under the emulator (needs Docker)",
            lambda: images.run(local_uri),
        )
    finally:
        shutil.rmtree(local, ignore_errors=True)
    elapsed = time.perf_counter() - started
    results["elapsed_seconds"] = elapsed
    runs = [r for r in results.get("runs", []) if set(r["parts"]) - set(args.only)]
    runs.append({"date": results["machine"]["date"], "parts": args.only, "seconds": elapsed})
    results["runs"] = runs
    results_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    write_report(results, ROOT / "BENCHMARKS.md")
    print(
        f"wrote BENCHMARKS.md and {results_path.relative_to(ROOT)} "
        f"in {results['elapsed_seconds']:.0f} s"
    )


if __name__ == "__main__":
    main()
