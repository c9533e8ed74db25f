"""Shared helpers: machine facts, percentiles, a moto S3 server, a published BTC champion."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem, 1),
        "platform": platform.platform(),
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def rotated(names: Sequence[str], round_index: int) -> list[str]:
    """``names`` starting at the ``round_index``-th, wrapping: the order of an interleaved
    round. A fixed order gives each arm a fixed place in the round (after the same neighbour,
    the same time after a heavy run), and on a shared machine a place has its own bias."""
    shift = round_index % len(names) if names else 0
    return [*names[shift:], *names[:shift]]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def moto_s3(host: str = "127.0.0.1", bucket: str = "cryptonic-bench") -> Iterator[dict[str, str]]:
    """moto's S3 server on ``host`` (loopback, or the Docker bridge for containers), with
    ``bucket`` created, and the environment that points boto3 at it."""
    from moto.server import ThreadedMotoServer

    port = free_port(host)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    env = {
        "AWS_ENDPOINT_URL_S3": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        import boto3

        boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL_S3"]).create_bucket(Bucket=bucket)
        yield env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


def copy_store(source_uri: str, target_uri: str) -> None:
    """Copy every object of one store into another (a trained champion into S3)."""
    from cryptonic.store.uri import open_store

    source, target = open_store(source_uri), open_store(target_uri)
    for key in source.list(""):
        if not key.startswith("."):
            target.put_bytes(key, source.get_bytes(key))


def compile_sources() -> None:
    """Write the bytecode of ``cryptonic`` and ``functions`` now, as the predict image does at its
    build (infra/predict.Dockerfile): a cold start timed here must not compile our sources when
    the floor's FastAPI comes compiled (``PYTHONDONTWRITEBYTECODE`` would otherwise make every
    fresh process compile them again)."""
    subprocess.run(
        [PY, "-m", "compileall", "-q", str(ROOT / "cryptonic"), str(ROOT / "functions")],
        check=True,
    )


def folder_mb(folder: Path) -> float:
    """Bytes of every regular file below ``folder``, in MB (1e6 bytes)."""
    total = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    return total / 1e6


def image_install_mb(target: Path, requirements: Path) -> float:
    """What a function image installs, installed the way its Dockerfile does it
    (``pip install --target "${LAMBDA_TASK_ROOT}"``: no pip or setuptools in the count)."""
    if target.exists():
        shutil.rmtree(target)
    pip = [PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target"]
    subprocess.run([*pip, str(target), "-r", str(requirements)], check=True)
    return folder_mb(target)
