"""Lambda logging: every line is a JSON object, including what native code writes to fd 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from cryptonic.logs import JsonFormatter, _is_json_object

SCRIPT = textwrap.dedent(
    """
    import logging, os, sys, warnings
    from cryptonic.logs import configure_lambda_logging
    configure_lambda_logging()
    os.write(2, b"I0000 port.cc:153] oneDNN custom operations are on.\\n")
    os.write(2, b'{"already": "json"}\\n')
    print("to stderr from python", file=sys.stderr, flush=True)
    logging.getLogger("cryptonic.test").info("ours", extra={"ticker": "BTC-USD"})
    logging.getLogger("yfinance").warning("a third-party warning")
    warnings.warn("a python warning")
    import time; time.sleep(0.3)  # let the pump thread drain the pipe
    """
)


def run_under_a_runtime(**env: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", **env},
        check=True,
    )
    return [line for line in (done.stderr + done.stdout).splitlines() if line]


def test_every_line_under_a_lambda_runtime_is_a_json_object():
    lines = run_under_a_runtime()
    records = [json.loads(line) for line in lines]  # raises on any plain line
    by_message = {r.get("message"): r for r in records}
    native = by_message["I0000 port.cc:153] oneDNN custom operations are on."]
    assert native["logger"] == "native"
    assert {"already": "json"} in records
    assert by_message["to stderr from python"]["logger"] == "native"
    assert by_message["ours"]["ticker"] == "BTC-USD"
    assert by_message["a third-party warning"]["logger"] == "yfinance"
    assert any("a python warning" in str(r.get("message")) for r in records)
    assert len(records) == 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [('{"a": 1}', True), ("[1, 2]", False), ("{not json", False), ("plain", False), ("", False)],
)
def test_json_object_detection(text, expected):
    assert _is_json_object(text) is expected


def test_json_formatter_lifts_extra_fields():
    import logging

    record = logging.makeLogRecord(
        {"name": "cryptonic.x", "levelname": "INFO", "msg": "hi %s", "args": ("you",), "k": 1}
    )
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["message"], entry["k"], entry["logger"]) == ("hi you", 1, "cryptonic.x")
