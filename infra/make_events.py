"""Regenerate infra/events/*.json from `sam local generate-event`, then edit them for cryptonic.

Run: .venv-tools/bin/python infra/make_events.py (needs aws-sam-cli). The edited payloads are
committed; the tests and `sam local invoke -e` use these same files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).parent / "events"
SAM = str(Path(sys.executable).with_name("sam"))
CLOSES = [round(60000 + 250 * i + (i % 5) * 180.0, 2) for i in range(56)]
POST_BODY = json.dumps({"ticker": "BTC-USD", "closes": CLOSES, "last_date": "2026-10-05"})


def generate(*args: str) -> dict[str, Any]:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    out = subprocess.run(
        [SAM, "local", "generate-event", *args], check=True, env=env, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out))


def http_api(method: str, path: str, query: dict[str, str], body: str | None) -> dict[str, Any]:
    event = generate(
        "apigateway",
        "http-api-proxy",
        "--method",
        method,
        "--path",
        path.lstrip("/"),
        "--stage",
        "$default",
    )
    event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in query.items())
    event["queryStringParameters"] = query or None
    event["headers"] = {
        "accept": "application/json",
        "host": "id.execute-api.us-east-1.amazonaws.com",
    }
    event["cookies"] = []
    event.pop("pathParameters", None)
    event["stageVariables"] = None
    if body is None:
        event.pop("body", None)
        event["isBase64Encoded"] = False
    else:
        event["headers"]["content-type"] = "application/json"
        event["body"] = base64.b64encode(body.encode()).decode()
        event["isBase64Encoded"] = True
    return event


def rest_api(method: str, path: str, query: dict[str, str], body: str | None) -> dict[str, Any]:
    event = generate(
        "apigateway",
        "aws-proxy",
        "--method",
        method,
        "--path",
        path.lstrip("/"),
        "--resource",
        path,
    )
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    event["pathParameters"] = None
    event["stageVariables"] = None
    event["headers"]["Accept"] = "application/json"
    event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
    event["isBase64Encoded"] = False
    if body is None:
        event["body"] = None
    else:
        event["headers"]["Content-Type"] = "application/json"
        event["multiValueHeaders"]["Content-Type"] = ["application/json"]
        event["body"] = body
    event["requestContext"]["resourcePath"] = path
    event["requestContext"]["httpMethod"] = method
    event["requestContext"]["path"] = f"/{event['requestContext'].get('stage', 'prod')}{path}"
    return event


def main() -> None:
    EVENTS.mkdir(exist_ok=True)
    files: dict[str, Any] = {
        "predict-http-get.json": http_api("GET", "/predict", {"ticker": "BTC-USD"}, None),
        "predict-http-post.json": http_api("POST", "/predict", {}, POST_BODY),
        "status-http-get.json": http_api("GET", "/status", {"ticker": "BTC-USD"}, None),
        "predict-rest-get.json": rest_api("GET", "/predict", {"ticker": "BTC-USD"}, None),
        "predict-rest-post.json": rest_api("POST", "/predict", {}, POST_BODY),
        "retrain-scheduled.json": generate("cloudwatch", "scheduled-event"),
        "retrain-direct.json": {"ticker": "BTC-USD", "strategy": "new", "force": True},
    }
    # What the daily refresh schedule sends to the dispatch (template.yaml: DailyRefresh Input,
    # with Scheduler's placeholders filled in as Scheduler fills them); the refresh function
    # itself reads it as "refresh every ticker" too (sam local invoke, the loop).
    files["refresh-scheduled.json"] = {
        "version": "0",
        "id": "7f3c6a2e-5b1d-4c8e-9a0f-2d4b6c8e0a1b",
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "time": "2026-10-06T00:30:00Z",
        "resources": [
            "arn:aws:scheduler:us-east-1:123456789012:schedule/default/cryptonic-refresh"
        ],
        "detail": {"job": "refresh"},
    }
    # One ticker's job as the retrain queue's event source mapping delivers it (template.yaml:
    # RetrainJobs); the body is what the dispatch sends (cryptonic.retrain_fanout.job_message).
    # sam does not escape --body into its JSON template, so the body is set afterwards.
    job = {"force": True, "run_id": "20261006T060000Z-7f3c6a2e", "strategy": None}
    sqs = generate("sqs", "receive-message", "--queue-name", "cryptonic-RetrainQueue")
    sqs["Records"][0]["body"] = json.dumps({**job, "ticker": "BTC-USD"}, sort_keys=True)
    sqs["Records"][0]["md5OfBody"] = hashlib.md5(sqs["Records"][0]["body"].encode()).hexdigest()
    files["retrain-sqs.json"] = sqs
    refresh = generate("sqs", "receive-message", "--queue-name", "cryptonic-RefreshQueue")
    refresh["Records"][0]["body"] = json.dumps(
        {"run_id": "20261006T003000Z-7f3c6a2e", "ticker": "BTC-USD"}, sort_keys=True
    )
    refresh["Records"][0]["md5OfBody"] = hashlib.md5(
        refresh["Records"][0]["body"].encode()
    ).hexdigest()
    files["refresh-sqs.json"] = refresh
    scheduled = files["retrain-scheduled.json"]
    scheduled["time"] = "2026-10-06T06:00:00Z"
    scheduled["resources"] = [
        "arn:aws:scheduler:us-east-1:123456789012:schedule/default/cryptonic-retrain-BTC-USD"
    ]
    for name, event in files.items():
        (EVENTS / name).write_text(json.dumps(event, indent=2) + "\n")
        print("wrote", EVENTS / name)


if __name__ == "__main__":
    main()
