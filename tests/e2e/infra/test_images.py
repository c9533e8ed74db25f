"""The two Lambda images, built from our Dockerfiles and run as Lambda and `sam local` run them.

`make test-images` (part of `make test`). Builds the stand-in base image, the function images
(the refresh's is the retrain's) and `sam build`'s output from this checkout, then drives them
with every event in infra/events/ against moto's S3 server on the Docker bridge: the README's
`sam local` section, executed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import urllib.request
from typing import Any

import pytest
import yaml

from cryptonic.jobs.refresh.outcomes import OUTCOME_METRICS as REFRESH_OUTCOMES
from cryptonic.jobs.runs.ledger import RunLedger, new_run_id
from cryptonic.store.uri import open_store
from tests.fixtures import lambda_images as li
from tests.fixtures.containers import BridgeS3, function_env, write_env_file
from tests.fixtures.published import EVENTS_DIR
from tests.fixtures.template import CfnLoader

pytestmark = pytest.mark.images

TICKER = "BTC-USD"
PREDICT_EVENTS = sorted(p.name for p in EVENTS_DIR.glob("predict-*.json"))
STATUS_EVENTS = sorted(p.name for p in EVENTS_DIR.glob("status-*.json"))
RETRAIN_EVENTS = ["retrain-scheduled.json", "retrain-direct.json", "retrain-sqs.json"]
REFRESH_EVENTS = ["refresh-scheduled.json", "refresh-sqs.json"]
SWEEP_EVENTS = ["sweep-scheduled.json"]
SERVING_BUDGET_BYTES = 200 * 1024 * 1024  # design.md: the predict image's dependency layer
FORBIDDEN_IN_SERVING = ("tensorflow", "keras", "pandas", "ccxt")
# Lines the emulator itself prints (in AWS these are platform events, JSON with LogFormat JSON).
EMULATOR_LINE = re.compile(r"^(\d{2} \w{3} \d{4} [\d:,]+ \[\w+\] \(rapid\)|START |END |REPORT )")


def body_of(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


def headers_of(response: dict[str, Any]) -> dict[str, str]:
    return {k.lower(): v for k, v in (response.get("headers") or {}).items()}


@pytest.fixture(scope="module")
def trained(
    sam_built: li.SamBuild, bridge_s3: BridgeS3, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """A bucket into which `sam local invoke` of the scheduled event trained a first model."""
    bucket = bridge_s3.new_bucket()
    env_file = write_env_file(tmp_path_factory.mktemp("env") / "env.json", bridge_s3, bucket)
    result = li.sam_local_invoke(
        sam_built,
        "retrain",
        EVENTS_DIR / "retrain-scheduled.json",
        env_file,
        bridge_s3.host_address,
    )
    return {"bucket": bucket, "env_file": env_file, "invocation": result}


# --------------------------------------------------------------------------- building


def test_the_stand_in_keeps_the_aws_base_images_contract(base_image):
    config = json.loads(li.run(["docker", "image", "inspect", base_image.name]).stdout)[0]["Config"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert config["Entrypoint"] == ["/lambda-entrypoint.sh"]
    assert config["WorkingDir"] == "/var/task"
    assert (env["LAMBDA_TASK_ROOT"], env["LAMBDA_RUNTIME_DIR"]) == ("/var/task", "/var/runtime")
    assert env["PATH"].startswith("/var/lang/bin:")
    version = li.python_in_image(
        base_image.name,
        "import sys; sys.path.insert(0, '/var/runtime'); import awslambdaric; "
        "print(sys.version_info[:2], sys.executable)",
    )
    assert version.strip() == "(3, 12) /var/lang/bin/python3.12"


def test_sam_build_takes_every_layer_from_the_images_just_built(sam_built, function_images):
    assert sam_built.executed_steps == 0, sam_built.output[-3000:]
    assert sam_built.cached_steps >= 2 * 5
    built = yaml.load(sam_built.template.read_text(), Loader=CfnLoader)["Resources"]
    uris = {f: built[logical]["Properties"]["ImageUri"] for f, logical in li.FUNCTIONS.items()}
    # One build per Dockerfile: SAM builds the refresh's, the dispatch's and the sweeper's image
    # once, as the retrain's.
    assert uris == {f: function_images[li.DOCKERFILES[f]].name for f in li.FUNCTIONS}
    assert set(uris) == {"predict", "retrain", "refresh", "dispatch", "sweep"}


def test_predict_image_has_no_training_stack_and_fits_the_budget(function_images):
    image = function_images["predict"]
    found = li.python_in_image(
        image.name,
        "import importlib.util as u, json; "
        f"print(json.dumps([m for m in {FORBIDDEN_IN_SERVING!r} if u.find_spec(m)]))",
    )
    assert json.loads(found) == []
    listing = li.python_in_image(image.name, "import os; print('\\n'.join(os.listdir('.')))")
    assert not [n for n in listing.split() if n.split("-")[0].lower() in FORBIDDEN_IN_SERVING]
    dependencies = image.layer_bytes("--requirement /tmp/requirements.txt")
    assert 50 * 1024 * 1024 < dependencies <= SERVING_BUDGET_BYTES, dependencies


def test_retrain_image_holds_the_training_stack_but_no_server(function_images):
    found = li.python_in_image(
        function_images["retrain"].name,
        "import importlib.util as u, json; print(json.dumps({m: bool(u.find_spec(m)) for m in "
        "('tensorflow', 'keras', 'pandas', 'yfinance', 'ccxt', 'ai_edge_litert', 'fastapi', "
        "'uvicorn')}))",
    )
    assert json.loads(found) == {
        "tensorflow": True,
        "keras": True,
        "pandas": True,
        "yfinance": True,
        "ccxt": True,
        "ai_edge_litert": True,
        "fastapi": False,
        "uvicorn": False,
    }


# --------------------------------------------------------------------------- sam local invoke


def test_predict_before_any_model_answers_503_no_model(sam_built, bridge_s3, tmp_path):
    bucket = bridge_s3.new_bucket()
    env_file = write_env_file(tmp_path / "env.json", bridge_s3, bucket)
    result = li.sam_local_invoke(
        sam_built, "predict", EVENTS_DIR / "predict-http-get.json", env_file, bridge_s3.host_address
    )
    response = result.payload
    assert response["statusCode"] == 503, response
    error = body_of(response)["error"]
    assert error["code"] == "no_model"
    assert f"cryptonic retrain --ticker {TICKER}" in error["message"]


def test_scheduled_retrain_publishes_and_promotes_a_first_model(trained, bridge_s3):
    summary = trained["invocation"].payload
    assert summary["ok"] is True, summary
    [result] = summary["results"]
    assert (result["ticker"], result["outcome"], result["promoted"]) == (TICKER, "promoted", True)
    assert result["metrics"]["persistence"]["mape"] > 0
    champion = bridge_s3.get_json(trained["bucket"], f"models/{TICKER}/champion.json")
    assert champion["version"] == result["version"]
    keys = bridge_s3.keys(trained["bucket"])
    prefix = f"models/{TICKER}/versions/{result['version']}/"
    for name in ("manifest.json", "model.keras", "model.tflite", "forecast.json", "prices.csv"):
        assert prefix + name in keys


def test_direct_event_forces_a_retrain(trained, sam_built, bridge_s3):
    first = trained["invocation"].payload["results"][0]
    result = li.sam_local_invoke(
        sam_built,
        "retrain",
        EVENTS_DIR / "retrain-direct.json",
        trained["env_file"],
        bridge_s3.host_address,
    )
    [again] = result.payload["results"]
    assert again["skipped"] is False  # same data as the first run: only `force` retrains
    assert again["version"] not in (None, first["version"])
    assert again["outcome"] in {"promoted", "rejected"}
    assert again["error"] is None


def test_one_tickers_job_from_the_retrain_queue_retrains_it(trained, sam_built, bridge_s3):
    """The event the retrain queue's event source mapping delivers (one message, one ticker):
    answered with no batch item failures, the ticker retrained (the job forces it) and its
    result in the run's ledger."""
    event = json.loads((EVENTS_DIR / "retrain-sqs.json").read_text())
    job = json.loads(event["Records"][0]["body"])
    before = bridge_s3.keys(trained["bucket"])
    result = li.sam_local_invoke(
        sam_built,
        "retrain",
        EVENTS_DIR / "retrain-sqs.json",
        trained["env_file"],
        bridge_s3.host_address,
    )
    assert result.payload == {"batchItemFailures": []}, result.stderr[-2000:]
    key = f"models/runs/retrain/{job['run_id']}/results/{job['ticker']}.json"
    recorded = bridge_s3.get_json(trained["bucket"], key)
    assert recorded["outcome"] in {"promoted", "rejected"}
    assert recorded["error"] is None
    new_versions = {
        k.split("/")[3]
        for k in set(bridge_s3.keys(trained["bucket"])) - set(before)
        if k.startswith(f"models/{TICKER}/versions/")
    }
    assert new_versions == {recorded["version"]}


def test_one_tickers_job_from_the_refresh_queue_refreshes_it(trained, sam_built, bridge_s3):
    """The refresh queue's event for one ticker: no batch item failures, the result in the
    run's ledger (unchanged: the promotion already logged the forecast of the latest close)."""
    event = json.loads((EVENTS_DIR / "refresh-sqs.json").read_text())
    job = json.loads(event["Records"][0]["body"])
    result = li.sam_local_invoke(
        sam_built,
        "refresh",
        EVENTS_DIR / "refresh-sqs.json",
        trained["env_file"],
        bridge_s3.host_address,
    )
    assert result.payload == {"batchItemFailures": []}, result.stderr[-2000:]
    key = f"models/runs/refresh/{job['run_id']}/results/{job['ticker']}.json"
    recorded = bridge_s3.get_json(trained["bucket"], key)
    assert recorded["outcome"] in {"unchanged", "refreshed"}
    assert recorded["error"] is None


@pytest.mark.parametrize("event", ["refresh-scheduled.json"])
def test_scheduled_refresh_logs_a_dated_forecast_of_the_champion(
    trained, sam_built, bridge_s3, tmp_path, event
):
    """The champion a retrain published, in a store without a forecast log yet (a deployment
    upgraded to the daily refresh): the schedule's event logs the champion's forecast of the
    latest close under its date, points latest.json at it and starts the track record."""
    client = bridge_s3.client()
    bucket = bridge_s3.new_bucket()
    copied = [k for k in bridge_s3.keys(trained["bucket"]) if k.startswith(f"models/{TICKER}/")]
    for key in copied:
        client.copy_object(
            Bucket=bucket, Key=key, CopySource={"Bucket": trained["bucket"], "Key": key}
        )
    champion = bridge_s3.get_json(bucket, f"models/{TICKER}/champion.json")["version"]
    env_file = write_env_file(tmp_path / "env.json", bridge_s3, bucket)

    result = li.sam_local_invoke(
        sam_built, "refresh", EVENTS_DIR / event, env_file, bridge_s3.host_address
    )
    summary = result.payload
    assert summary["ok"] is True, summary
    [refreshed] = summary["results"]
    assert (refreshed["ticker"], refreshed["outcome"], refreshed["champion"]) == (
        TICKER,
        "refreshed",
        champion,
    )
    as_of = refreshed["as_of"]
    assert as_of == "2026-10-05"  # the bundled snapshot's last close
    dated = f"models/forecasts/{TICKER}/{as_of}/{champion}.json"
    keys = bridge_s3.keys(bucket)
    assert dated in keys
    forecast = bridge_s3.get_json(bucket, dated)
    assert (forecast["model_version"], forecast["as_of"], forecast["role"]) == (
        champion,
        as_of,
        "champion",
    )
    assert len(forecast["result"]) == 7
    latest = bridge_s3.get_json(bucket, f"models/forecasts/{TICKER}/latest.json")
    assert latest["versions"][champion]["as_of"] == as_of
    assert f"models/forecasts/{TICKER}/track-record.json" in keys
    # The metric line the stale alarm reads, from the function's own log.
    assert '"StaleForecasts"' in result.stdout + result.stderr


@pytest.mark.parametrize("event", PREDICT_EVENTS + STATUS_EVENTS)
def test_serving_events_answer_200_with_the_contract(trained, sam_built, bridge_s3, event):
    result = li.sam_local_invoke(
        sam_built, "predict", EVENTS_DIR / event, trained["env_file"], bridge_s3.host_address
    )
    response = result.payload
    assert response["statusCode"] == 200, response
    assert headers_of(response)["content-type"] == "application/json"
    body = body_of(response)
    champion = bridge_s3.get_json(trained["bucket"], f"models/{TICKER}/champion.json")
    assert (body["success"], body["ticker"]) == (True, TICKER)
    assert body["model_version"] == champion["version"]
    if event.startswith("status"):
        assert body["trained_at"]
        assert body["backtest"]["model_mape"] > 0
        assert body["backtest"]["persistence_mape"] > 0
        return
    assert body["period_length"] == 7
    assert len(body["result"]) == 7
    assert all(item["prediction"] > 0 for item in body["result"])
    if event.endswith("-post.json"):
        assert body["as_of"] == "2026-10-05"
        assert body["result"][0]["date"] == "2026-10-06"
    else:
        assert headers_of(response)["etag"]


def test_every_shipped_event_is_invoked_by_these_tests():
    shipped = {p.name for p in EVENTS_DIR.glob("*.json")}
    assert shipped == set(
        PREDICT_EVENTS + STATUS_EVENTS + RETRAIN_EVENTS + REFRESH_EVENTS + SWEEP_EVENTS
    )


def test_sam_local_start_api_serves_predict_and_the_page(trained, sam_built, bridge_s3):
    port = li.free_port("127.0.0.1")
    with li.sam_local_start_api(
        sam_built, trained["env_file"], bridge_s3.host_address, port
    ) as url:
        with urllib.request.urlopen(f"{url}/predict?ticker={TICKER}", timeout=120) as response:
            assert response.status == 200
            forecast = json.loads(response.read())
        with urllib.request.urlopen(f"{url}/", timeout=120) as response:
            assert response.status == 200
            page = response.read().decode()
    assert len(forecast["result"]) == 7
    assert "<html" in page.lower()
    assert "cryptonic" in page.lower()


# --------------------------------------------------------------------------- as Lambda runs them


def test_predict_runs_as_lambda_does(trained, function_images, bridge_s3):
    """Non-root, read-only root filesystem, tmpfs /tmp: the first request answers 200."""
    env = {**function_env(bridge_s3, trained["bucket"]), "AWS_LAMBDA_LOG_FORMAT": "JSON"}
    event = json.loads((EVENTS_DIR / "predict-http-get.json").read_text())
    seconds, response = li.first_invocation_seconds(
        function_images["predict"].name, env, bridge_s3.host_address, event
    )
    assert response["statusCode"] == 200, response
    assert len(body_of(response)["result"]) == 7
    assert seconds < 30


def test_run_ledger_as_lambda_does_and_logs_only_json(function_images, bridge_s3):
    """A first model trained under Lambda's sandbox; every line it writes is a JSON object,
    TensorFlow's and LiteRT's native start-up lines included."""
    bucket = bridge_s3.new_bucket()
    env = {
        **function_env(bridge_s3, bucket),
        "DATA_SOURCE": "bundled",
        "EPOCHS": "2",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": "INFO",
    }
    event = json.loads((EVENTS_DIR / "retrain-scheduled.json").read_text())
    with li.run_as_lambda(function_images["retrain"].name, env, bridge_s3.host_address) as fn:
        summary, _ = fn.invoke(event)
        logs = fn.logs()
    assert summary["ok"] is True, summary
    assert summary["results"][0]["promoted"] is True
    ours = [line for line in logs.splitlines() if line.strip() and not EMULATOR_LINE.match(line)]
    records = []
    for line in ours:
        try:
            records.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a log line is not JSON: {line!r}")
    # cryptonic's lines are Powertools' Logger's: the logger's "name" and the invocation's
    # "function_request_id" on each (the runtime's own lines say "logger" and "requestId").
    loggers = {r.get("name") for r in records}
    assert {"cryptonic.retrain", "cryptonic.registry"} <= loggers
    assert any(r.get("_aws") for r in records), "no embedded-metric line"
    ours = [r for r in records if str(r.get("name", "")).startswith("cryptonic")]
    assert all(r.get("function_request_id") for r in ours)
    assert {r.get("service") for r in ours} == {"cryptonic"}


def test_a_failing_retrain_fails_the_invocation(function_images, bridge_s3):
    """A ticker the data source cannot serve: Lambda sees an error (retry, DLQ, alarm)."""
    bucket = bridge_s3.new_bucket()
    env = {
        **function_env(bridge_s3, bucket),
        "DATA_SOURCE": "bundled",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
    }
    with li.run_as_lambda(function_images["retrain"].name, env, bridge_s3.host_address) as fn:
        answer, _ = fn.invoke({"ticker": "ETH-USD"})
    assert answer["errorType"] == "RetrainFailedError", answer
    assert answer["errorMessage"].startswith("1 of 1 tickers failed: ETH-USD: [bad_data]")
    assert bridge_s3.keys(bucket) == []


def test_the_sweeper_closes_a_lost_run(sam_built, bridge_s3, tmp_path):
    """A refresh run 13 hours old whose one ticker never reported: `sam local invoke
    SweepFunction` with the shipped event and env file closes it, the ticker lost, its summary
    written."""
    bucket = bridge_s3.new_bucket()
    seeded = open_store(f"file://{tmp_path / 'seed'}")
    ledger = RunLedger(seeded, "refresh", list(REFRESH_OUTCOMES))
    started = dt.datetime.now(dt.UTC) - dt.timedelta(hours=13)
    run = new_run_id(started, "img")
    ledger.write_plan(run, [TICKER], {})
    plan = ledger.plan(run)
    plan["created"] = started.isoformat()
    plan_key = f"models/{ledger.key(run, 'plan.json')}"
    bridge_s3.client().put_object(Bucket=bucket, Key=plan_key, Body=json.dumps(plan))
    env_file = write_env_file(tmp_path / "env.json", bridge_s3, bucket)

    result = li.sam_local_invoke(
        sam_built, "sweep", EVENTS_DIR / "sweep-scheduled.json", env_file, bridge_s3.host_address
    )
    done = result.payload
    assert done.get("closed") == {"refresh": [run]}, done
    assert done["lost"] == {f"refresh {run}": [TICKER]}
    summary = bridge_s3.get_json(bucket, f"models/{ledger.key(run, 'summary.json')}")
    assert summary["counts"]["lost"] == 1
