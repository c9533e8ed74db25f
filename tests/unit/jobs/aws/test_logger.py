"""The jobs' Powertools Logger, in a process of its own as Lambda runs a handler: every line is a
JSON object with the invocation's request id, the lines inside a run carry its run id, and so do
the lines of yfinance, of Python's warnings and of native code writing to fd 2; a text setup
left in the process (the CLI's) does not survive the next invocation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, logging, os, sys, time, warnings
    from cryptonic.jobs.aws.logger import lambda_handler, run_keys

    class Context:
        '''What Lambda passes to a handler (the runtime's LambdaContext), as the jobs read it.'''

        def __init__(self, request_id):
            self.aws_request_id = request_id
            self.function_name = "stack-RefreshFunction-abc"
            self.memory_limit_in_mb = 1024
            self.invoked_function_arn = (
                "arn:aws:lambda:eu-west-1:123456789012:function:stack-RefreshFunction-abc"
            )

        def get_remaining_time_in_millis(self):
            return 60_000

    @lambda_handler
    def handler(event, context):
        log = logging.getLogger("cryptonic.jobs")
        log.info("before the run")
        with run_keys(event["run_id"]):
            log.info("in the run", extra={"ticker": "BTC-USD"})
            logging.getLogger("yfinance").warning("a third-party warning")
            warnings.warn("a python warning")
            if event.get("native"):
                os.write(2, b"I0000 port.cc:153] oneDNN custom operations are on.\\n")
                time.sleep(1.0)  # the pump thread formats it inside the run
        log.info("after the run")
        return {"ok": event["run_id"]}

    print(json.dumps(handler({"run_id": "R1"}, Context("req-1"))))
    from cryptonic.logs import configure_logging
    configure_logging(json_lines=False)  # the CLI's text, in the same process: undone
    print(json.dumps(handler({"run_id": "R2", "native": True}, Context("req-2"))))
    print(json.dumps(handler({"run_id": "R3"}, None)))  # called as a function: runs as it is
    time.sleep(0.3)
    """
)


def _run() -> tuple[list[dict], list[dict]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"},
        check=True,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return [json.loads(line) for line in lines], [json.loads(x) for x in done.stdout.splitlines()]


def test_every_line_has_the_request_id_and_the_lines_of_a_run_its_run_id():
    records, answers = _run()  # json.loads raised on any line that is not JSON
    assert answers == [{"ok": "R1"}, {"ok": "R2"}, {"ok": "R3"}]
    first = [r for r in records if r.get("function_request_id") == "req-1"]
    by_message = {str(r["message"]): r for r in first}
    ours = by_message["in the run"]
    assert (ours["run_id"], ours["ticker"], ours["name"]) == ("R1", "BTC-USD", "cryptonic.jobs")
    assert (ours["level"], ours["service"], ours["cold_start"]) == ("INFO", "cryptonic", True)
    assert ours["function_name"] == "stack-RefreshFunction-abc"
    assert "run_id" not in by_message["before the run"]
    assert "run_id" not in by_message["after the run"]
    third = by_message["a third-party warning"]
    assert (third["name"], third["run_id"]) == ("yfinance", "R1")
    [warned] = [r for r in first if "a python warning" in str(r["message"])]
    assert (warned["name"], warned["run_id"]) == ("py.warnings", "R1")

    second = [r for r in records if r.get("function_request_id") == "req-2"]
    assert {r["cold_start"] for r in second} == {False}
    [native] = [r for r in second if "oneDNN" in str(r["message"])]
    assert (native["name"], native["run_id"]) == ("native", "R2")
    # Nothing printed twice (Python shows a warning once per place: the first invocation's)
    assert len(first) == len(by_message) == 5
    assert [r["message"] for r in second].count("in the run") == 1
    assert len(second) == 5


def test_a_handler_called_without_a_context_still_logs_json():
    records, _ = _run()
    [plain] = [r for r in records if r.get("run_id") == "R3" and r["message"] == "in the run"]
    assert plain["name"] == "cryptonic.jobs"
    assert "function_request_id" not in plain  # not the last invocation's
