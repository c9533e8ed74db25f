"""The Lambda images as built and run here: build times, sizes, first invocations.

Builds the stand-in base and both function images from scratch (a fresh base tag, so no layer of
an earlier build is reused; pip downloads every wheel again), then starts the predict image as
Lambda does (non-root, read-only, tmpfs /tmp) under the emulator, `runs` times, against moto's
S3 server on the Docker bridge holding the champion `make bench` trained. The baseline, started
the same way and interleaved, is an empty Python handler on the same base image: the difference
is what our imports and the champion load cost on top of a container start.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import copy_store, moto_s3
from tests.fixtures import lambda_images as li

EMPTY_HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': '{}'}\n"


@contextlib.contextmanager
def bridge_store(local_uri: str) -> Iterator[tuple[str, int, str]]:
    """(bridge address, port, s3 store URI) with the local store's objects copied in."""
    address = li.bridge_address()
    with moto_s3(host=address, bucket="cryptonic-bench-images") as env:
        uri = "s3://cryptonic-bench-images/models"
        copy_store(local_uri, uri)
        yield address, int(env["AWS_ENDPOINT_URL_S3"].rsplit(":", 1)[1]), uri


def _first_invocation(
    image: str, env: dict[str, str], address: str, event: Any, volume: Path | None = None
) -> float:
    if volume is None:
        seconds, answer = li.first_invocation_seconds(image, env, address, event)
    else:
        seconds, answer = _first_invocation_with_layer(image, env, address, event, volume)
    if answer.get("statusCode") != 200:
        raise RuntimeError(f"{image} answered {answer}")
    return seconds


def _first_invocation_with_layer(
    image: str, env: dict[str, str], address: str, event: Any, layer: Path
) -> tuple[float, Any]:
    """The empty handler, mounted read-only at /opt/python (a Lambda layer's place)."""
    port = li.free_port("127.0.0.1")
    started = time.perf_counter()
    args = ["docker", "run", "--detach", "--read-only", "--tmpfs", "/tmp", "--user", li.LAMBDA_UID]
    args += ["--publish", f"127.0.0.1:{port}:8080", "--volume", f"{layer}:/opt/python:ro"]
    for key, value in {**li.FAKE_CREDENTIALS, **env}.items():
        args += ["--env", f"{key}={value}"]
    container = li.run([*args, image, "empty.handler"]).stdout.strip()
    try:
        function = li.EmulatedFunction(container, f"http://127.0.0.1:{port}", started)
        answer, _ = function.invoke(event)
        return time.perf_counter() - started, answer
    finally:
        li.run(["docker", "rm", "--force", container], check=False)


def run(local_uri: str, runs: int = 5) -> dict[str, Any]:
    li.require_docker()
    tag = li.run_tag()
    workdir = Path(tempfile.mkdtemp(prefix="cryptonic-bench-images-"))
    try:
        base = li.build_base_image(tag)
        predict = li.build_function_image("predict", base.name, tag)
        retrain = li.build_function_image("retrain", base.name, tag)
        rebuilt = li.build_function_image("predict", base.name, tag)  # every layer cached
        sam = li.sam_build(workdir, li.test_template(workdir, base.name, tag))

        layer = workdir / "layer"
        layer.mkdir()
        (layer / "empty.py").write_text(EMPTY_HANDLER)
        layer.chmod(0o755)
        (layer / "empty.py").chmod(0o644)
        event = json.loads((li.ROOT / "infra/events/predict-http-get.json").read_text())

        ours: list[float] = []
        empty: list[float] = []
        with bridge_store(local_uri) as (address, port, uri):
            env = {
                "STORE_URI": uri,
                "AWS_ENDPOINT_URL_S3": f"http://host.docker.internal:{port}",
                "AWS_LAMBDA_LOG_FORMAT": "JSON",
            }
            for _ in range(runs):  # interleaved, so drift on the machine hits both alike
                empty.append(_first_invocation(base.name, env, address, event, volume=layer))
                ours.append(_first_invocation(predict.name, env, address, event))
            retrain_env = {**env, "DATA_SOURCE": "bundled", "STORE_URI": uri + "-retrain"}
            scheduled = json.loads((li.ROOT / "infra/events/retrain-scheduled.json").read_text())
            with li.run_as_lambda(retrain.name, retrain_env, address) as fn:
                summary, retrain_seconds = fn.invoke(scheduled)
                retrain_total = time.perf_counter() - fn.started_at
            if not summary.get("ok"):
                raise RuntimeError(f"retrain under the emulator failed: {summary}")
    finally:
        li.remove_images(tag)
        shutil.rmtree(workdir, ignore_errors=True)

    def mb(value: int) -> float:
        return value / 1e6

    return {
        "runs": runs,
        "build_seconds": {
            "base": base.seconds,
            "predict": predict.seconds,
            "retrain": retrain.seconds,
            "predict_cached": rebuilt.seconds,
            "sam_build_cached": sam.seconds,
        },
        "sam_build_executed_steps": sam.executed_steps,
        "image_mb": {
            "base": mb(base.size_bytes),
            "predict": mb(predict.size_bytes),
            "retrain": mb(retrain.size_bytes),
        },
        "dependency_layer_mb": {
            "predict": mb(predict.layer_bytes("--requirement /tmp/requirements.txt")),
            "retrain": mb(retrain.layer_bytes("--requirement /tmp/requirements.txt")),
        },
        "first_invocation_s": {
            "predict": {
                "median": statistics.median(ours),
                "min": min(ours),
                "max": max(ours),
                "all": ours,
            },
            "empty_handler": {
                "median": statistics.median(empty),
                "min": min(empty),
                "max": max(empty),
                "all": empty,
            },
            "ratio": statistics.median(ours) / statistics.median(empty),
        },
        "retrain_under_emulator_s": {
            "invocation": retrain_seconds,
            "container_start_to_end": retrain_total,
            "timings": summary["results"][0]["timings"],
        },
    }
