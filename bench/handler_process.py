"""The predict handler in a fresh interpreter, invoked one event at a time, as Lambda would.

The child imports ``functions.predict.app`` (the cold start: settings, store, app, warm-up) and
then answers one API Gateway event per line of its stdin through Mangum, each with a Lambda
context whose remaining time counts down the function's 10 s timeout. The parent times each
answer and can give up on one (a stalled store): the child is then killed, as Lambda kills a
timed-out invocation, and the next request starts a fresh one.
"""

from __future__ import annotations

import base64
import collections
import json
import os
import queue
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

from bench.common import PY, ROOT

MARK = "@@bench "
LAMBDA_TIMEOUT_S = 10.0  # template.yaml: PredictFunction's Timeout

CHILD = r"""
import json, sys, time

MARK = "@@bench "


class Context:
    # What the Lambda runtime passes: this invocation's deadline.
    function_name = "cryptonic-predict"
    memory_limit_in_mb = 1769
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cryptonic-predict"

    def __init__(self, timeout_s):
        self._end = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self):
        return max(0, int((self._end - time.monotonic()) * 1000))


started = time.perf_counter()
from functions.predict.app import handler

print(MARK + json.dumps({"init_s": time.perf_counter() - started}), flush=True)
for line in sys.stdin:
    event = json.loads(line)
    context = Context(float(sys.argv[1]))
    t = time.perf_counter()
    response = handler(event, context)
    seconds = time.perf_counter() - t
    print(MARK + json.dumps({
        "seconds": seconds, "status": response["statusCode"], "body": response.get("body") or "",
        "base64": bool(response.get("isBase64Encoded")),
    }), flush=True)
"""


class NoAnswerError(Exception):
    """The child did not answer within the wait (it was killed)."""


@dataclass(frozen=True)
class Answer:
    status: int
    seconds: float  # in the handler, as the child timed it
    wall: float  # the parent's round trip
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HandlerProcess:
    """One fresh serving process; :meth:`start` is its cold start."""

    def __init__(self, env: dict[str, str], wait_s: float) -> None:
        self.env = env
        self.wait_s = wait_s
        self._stderr: collections.deque[str] = collections.deque(maxlen=40)
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._child: subprocess.Popen[str] | None = None

    def start(self) -> tuple[float, float]:
        """Spawn and import the handler: (the import's seconds, the process's wall time)."""
        started = time.perf_counter()
        self._child = subprocess.Popen(
            [PY, "-c", CHILD, str(LAMBDA_TIMEOUT_S)],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, args=(self._child,), daemon=True).start()
        threading.Thread(target=self._drain, args=(self._child,), daemon=True).start()
        ready = self._next()
        return float(ready["init_s"]), time.perf_counter() - started

    def invoke(self, event: dict[str, Any]) -> Answer:
        assert self._child is not None, "start() first"
        assert self._child.stdin is not None
        started = time.perf_counter()
        self._child.stdin.write(json.dumps(event) + "\n")
        self._child.stdin.flush()
        raw = self._next()
        body = raw["body"].encode()
        if raw["base64"]:
            body = base64.b64decode(body)
        return Answer(raw["status"], raw["seconds"], time.perf_counter() - started, body)

    def close(self) -> None:
        if self._child is not None and self._child.poll() is None:
            self._child.kill()
            self._child.wait(timeout=10)

    def _read(self, child: subprocess.Popen[str]) -> None:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(MARK):
                self._lines.put(line[len(MARK) :])
        self._lines.put(None)  # the child exited

    def _drain(self, child: subprocess.Popen[str]) -> None:
        """Keep the last lines of its log (a full pipe would block the child)."""
        assert child.stderr is not None
        for line in child.stderr:
            self._stderr.append(line)

    def _next(self) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=self.wait_s)
        except queue.Empty:
            self.close()
            raise NoAnswerError(f"no answer within {self.wait_s:.0f} s") from None
        if line is None:
            tail = "".join(self._stderr)[-2000:]
            raise RuntimeError(f"the serving process exited: {tail}")
        value: dict[str, Any] = json.loads(line)
        return value


def child_env(s3_env: dict[str, str], endpoint: str, store_uri: str, ticker: str) -> dict[str, str]:
    """The serving function's environment: the store through ``endpoint``, one configured ticker
    (the others are found in the store, as a deployment's would be), no machine credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(s3_env)
    env.update(
        AWS_ENDPOINT_URL_S3=endpoint,
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        STORE_URI=store_uri,
        TICKERS=ticker,
    )
    return env
