"""The fan-outs end to end against moto's server: dispatch -> SQS -> per-ticker retrains (weekly)
and refreshes (daily).

The handlers are the real ones (functions/dispatch, functions/retrain), fed what Lambda feeds
them: the shipped schedule event, and SQS records in the shape Lambda's event source mapping
delivers (``sam local generate-event sqs receive-message``) built from the messages moto's queue
actually holds. ``deliver`` does what the event source mapping does: receive one message, invoke,
delete it unless the answer reports it in ``batchItemFailures``. The queue's redrive policy is
moto's: a message received more than ``maxReceiveCount`` times moves to the dead-letter queue
(5, as template.yaml; a ticker's real attempts are 2, counted by its claim in the run).
The retrains publish a model trained once (tests/fixtures/retrain.py, ``retrain_without_fits``):
a version per ticker matters here, not how it learned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cryptonic.config import get_settings
from cryptonic.data import to_yahoo_csv
from cryptonic.errors import ConfigError
from cryptonic.jobs.runs.ledger import RunLedger
from cryptonic.jobs.runs.report import sns_notifier
from cryptonic.jobs.sweeper import sweep
from cryptonic.jobs.ticker_list import TICKERS_FILE
from cryptonic.registry.registry import Registry
from cryptonic.store.uri import open_store
from tests.fixtures.paths import EVENTS
from tests.fixtures.prices import make_prices
from tests.fixtures.published import publish_version
from tests.fixtures.retrain import TINY_SETTINGS

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("retrain_without_fits")]
MAX_RECEIVES = 5


class Crash(BaseException):
    """The process dying mid-work (a timeout, out of memory): nothing of ours catches it."""


def _client(service: str) -> Any:
    import boto3

    return boto3.session.Session().client(service)


@pytest.fixture
def queues(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A retrain queue redriving to a dead-letter queue after 5 receives, as template.yaml wires
    them (visibility 0 s instead of 90 min, so a reported failure is visible again at once), and
    an SNS topic with a queue subscribed, standing in for the on-call's inbox."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", aws_env)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SNS", aws_env)
    sqs, sns = _client("sqs"), _client("sns")
    name = uuid.uuid4().hex[:12]
    dlq = sqs.create_queue(QueueName=f"dlq-{name}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    jobs = sqs.create_queue(
        QueueName=f"jobs-{name}",
        Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)}
            ),
        },
    )["QueueUrl"]
    inbox = sqs.create_queue(QueueName=f"inbox-{name}")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    topic = sns.create_topic(Name=f"alarms-{name}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn)
    yield {"jobs": jobs, "dlq": dlq, "inbox": inbox, "topic": topic}
    for url in (jobs, dlq, inbox):
        sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def price_folder(tmp_path: Path) -> Path:
    """ETH-USD's prices as a CSV export; BAD-USD's export has a zero close (refused); BTC-USD
    has no file, so it comes from the bundled snapshot."""
    folder = tmp_path / "prices"
    folder.mkdir()
    (folder / "ETH-USD.csv").write_bytes(to_yahoo_csv(make_prices(300, seed=3)))
    bad = make_prices(300, seed=4)
    bad.loc[150, "close"] = 0.0
    (folder / "BAD-USD.csv").write_bytes(to_yahoo_csv(bad))
    return folder


@pytest.fixture
def lambda_env(
    monkeypatch: pytest.MonkeyPatch, s3_store_uri: str, queues: dict[str, str], price_folder: Path
) -> Iterator[str]:
    """The environment template.yaml gives the dispatch and the retrain, tiny model settings."""
    env = {
        "STORE_URI": s3_store_uri,
        "DATA_SOURCE": f"{price_folder}/",
        "CRYPTONIC_OFFLINE": "1",
        "TICKERS": "BTC-USD,ETH-USD",
        "RETRAIN_QUEUE_URL": queues["jobs"],
        "RETRAIN_MAX_RECEIVES": str(MAX_RECEIVES),
        "REFRESH_QUEUE_URL": queues["jobs"],
        "REFRESH_MAX_RECEIVES": str(MAX_RECEIVES),
        "ALARM_TOPIC_ARN": queues["topic"],
        "EPOCHS": str(TINY_SETTINGS["epochs"]),
        "LOOKBACK_WEEKS": str(TINY_SETTINGS["lookback_weeks"]),
        "BACKTEST_WEEKS": str(TINY_SETTINGS["backtest_weeks"]),
        "COVERAGE_TOLERANCE": "1.0",
        "AWS_LAMBDA_FUNCTION_NAME": "cryptonic-retrain",
        "RETRAIN_FUNCTION_NAME": "cryptonic-retrain",
        "REFRESH_FUNCTION_NAME": "cryptonic-refresh",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield s3_store_uri
    get_settings.cache_clear()


def sqs_event(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping sends for one received message (the layout
    of ``sam local generate-event sqs receive-message``)."""
    attributes = message["Attributes"]
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {
                    "ApproximateReceiveCount": attributes["ApproximateReceiveCount"],
                    "SentTimestamp": attributes["SentTimestamp"],
                    "SenderId": attributes.get("SenderId", "AIDAIENQZJOLO23YVJ4VO"),
                    "ApproximateFirstReceiveTimestamp": attributes[
                        "ApproximateFirstReceiveTimestamp"
                    ],
                },
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
        ]
    }


def deliver(
    queue_url: str, handler: Callable[..., Any], context: Callable[[str], Any]
) -> list[dict[str, Any]]:
    """Drain the queue the way the event source mapping does, one message per invocation, each
    with its own Lambda ``context`` (of the handler's function)."""
    function = "cryptonic-" + handler.__module__.split(".")[1]
    sqs = _client("sqs")
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    answers = []
    for _ in range(20):
        received = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=1, AttributeNames=["All"]
        ).get("Messages", [])
        if not received:
            break
        [message] = received
        answer = handler(sqs_event(message, arn), context(function))
        answers.append({"body": json.loads(message["Body"]), "answer": answer})
        if not answer["batchItemFailures"]:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return answers


def _drain(queue_url: str) -> list[dict[str, Any]]:
    sqs = _client("sqs")
    found = []
    for _ in range(10):
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            break
        found.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return found


def _scheduled_event() -> dict[str, Any]:
    """The shipped schedule event, scheduled now (the sweeper looks at the runs of recent days)."""
    event = dict(json.loads((EVENTS / "retrain-scheduled.json").read_text()))
    event["time"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:00:00Z")
    return event


def test_a_fanned_out_run_publishes_every_good_ticker_and_reports_the_failed_one(
    lambda_env: str,
    queues: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    lambda_context: Callable[[str], Any],
) -> None:
    from functions.dispatch.app import handler as dispatch
    from functions.retrain.app import handler as retrain

    store = open_store(lambda_env)
    store.put_json(TICKERS_FILE, {"tickers": ["BAD-USD", "eth-usd"]})  # one new, one repeated

    sent = dispatch(_scheduled_event(), lambda_context("cryptonic-dispatch"))
    assert sent["tickers"] == ["BTC-USD", "ETH-USD", "BAD-USD"]
    assert (sent["sent"], sent["ok"]) == (3, True)

    answers = deliver(queues["jobs"], retrain, lambda_context)
    per_ticker: dict[str, list[bool]] = {}
    for item in answers:
        failed = bool(item["answer"]["batchItemFailures"])
        per_ticker.setdefault(item["body"]["ticker"], []).append(failed)
    # Each good ticker ran once and succeeded; the bad one ran twice (its two attempts), its
    # second failure final: recorded in the run, its message acknowledged.
    assert per_ticker == {"BTC-USD": [False], "ETH-USD": [False], "BAD-USD": [True, False]}

    registry = Registry(store)
    for ticker in ("BTC-USD", "ETH-USD"):
        champion = registry.champion(ticker)
        assert champion is not None, ticker
    assert registry.champion("BAD-USD") is None
    assert _drain(queues["dlq"]) == []  # the failure is in the run's summary, not dead-lettered

    ledger = RunLedger(store)
    [run_id] = ledger.runs()
    assert run_id == sent["run_id"]
    summary = ledger.summary(run_id)
    assert summary is not None
    assert summary["counts"] == {
        "promoted": 2,
        "rejected": 0,
        "skipped": 0,
        "failed": 1,
        "lost": 0,
    }
    assert summary["reported"]
    assert list(summary["failed"]) == ["BAD-USD"]
    assert summary["failed"]["BAD-USD"]["code"] == "bad_data"

    # The on-call is told which ticker failed and why, once.
    notes = _drain(queues["inbox"])
    assert len(notes) == 1
    note = json.loads(notes[0]["Body"])
    assert note["Subject"] == "cryptonic: 1 of 3 tickers failed to retrain"
    assert "BAD-USD: [bad_data]" in note["Message"]
    assert "ETH-USD" not in note["Message"].split("\n", 2)[-1]

    # The run's counts are emitted once, as the metrics the template's alarm reads.
    captured = capsys.readouterr()
    emf = [json.loads(line) for line in captured.out.splitlines() if '"_aws"' in line]
    counts = [m for m in emf if "TickersPromoted" in m]
    assert len(counts) == 1
    assert (counts[0]["TickersPromoted"], counts[0]["TickersFailed"]) == ([2.0], [1.0])
    assert counts[0]["failed_tickers"] == ["BAD-USD"]
    assert counts[0]["FunctionName"] == "cryptonic-retrain"

    # Every line logged is JSON with its invocation's request id; a run's lines carry its id.
    lines = [json.loads(line) for line in captured.err.splitlines() if line.startswith("{")]
    ours = [line for line in lines if str(line.get("name")).startswith("cryptonic.")]
    assert ours
    assert all(line["function_request_id"] for line in ours)
    [planned] = [line for line in ours if "dispatch" in line]
    assert (planned["function_name"], planned["run_id"]) == ("cryptonic-dispatch", run_id)
    tickers = [line for line in ours if "summary" in line]  # one line per delivery's work
    assert sorted(line["summary"]["ticker"] for line in tickers) == [
        "BAD-USD",
        "BAD-USD",
        "BTC-USD",
        "ETH-USD",
    ]
    assert {line["run_id"] for line in tickers} == {run_id}
    assert {line["function_name"] for line in tickers} == {"cryptonic-retrain"}
    assert len({line["function_request_id"] for line in tickers}) == 4  # one per invocation
    [headline] = [line for line in ours if "run" in line and line.get("run_id") == run_id]
    assert headline["run"]["counts"]["promoted"] == 2


def test_without_a_queue_the_dispatch_refuses_and_sends_nothing(
    lambda_env: str,
    queues: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: Callable[[str], Any],
) -> None:
    from functions.dispatch.app import handler as dispatch

    monkeypatch.delenv("RETRAIN_QUEUE_URL")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="RETRAIN_QUEUE_URL is not set"):
        dispatch(_scheduled_event(), lambda_context("cryptonic-dispatch"))
    assert _drain(queues["jobs"]) == []
    assert RunLedger(open_store(lambda_env)).runs() == []


def test_a_retried_and_a_duplicated_schedule_event_join_one_run(
    lambda_env: str,
    queues: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: Callable[[str], Any],
) -> None:
    """Scheduler's retry carries a new execution id; a duplicate the same one. Both join the
    tick's run: a retry before the jobs ran sends them again (a claim keeps the work single),
    one after sends only what has no result."""
    from functions.dispatch.app import handler as dispatch
    from functions.retrain.app import handler as retrain

    monkeypatch.setenv("TICKERS", "BTC-USD")
    get_settings.cache_clear()
    event = _scheduled_event()
    first = dispatch(event, lambda_context("cryptonic-dispatch"))
    duplicate = dispatch(
        dict(event), lambda_context("cryptonic-dispatch")
    )  # delivered twice before any job ran
    assert duplicate["run_id"] == first["run_id"]
    answers = deliver(queues["jobs"], retrain, lambda_context)
    assert [a["body"]["ticker"] for a in answers] == ["BTC-USD", "BTC-USD"]
    assert not any(a["answer"]["batchItemFailures"] for a in answers)
    store = open_store(lambda_env)
    versions = Registry(store).version_ids("BTC-USD")
    assert len(versions) == 1  # the second job found the result: nothing retrained

    retried = dispatch(
        {**event, "id": "a9f0e1b2-retry"}, lambda_context("cryptonic-dispatch")
    )  # Scheduler's retry
    assert retried["run_id"] == first["run_id"]
    assert (retried["finished"], retried["sent"]) == (["BTC-USD"], 0)
    assert deliver(queues["jobs"], retrain, lambda_context) == []
    assert Registry(store).version_ids("BTC-USD") == versions
    assert RunLedger(store).runs() == [first["run_id"]]
    summary = RunLedger(store).summary(first["run_id"])
    assert summary is not None
    assert summary["counts"]["promoted"] == 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (json.dumps({"tickers": ["AAPL", "not a ticker!"]}).encode(), "'not a ticker!'"),
        (b'{"tickers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested 100001 levels"),
    ],
)
def test_a_broken_ticker_file_still_dispatches_the_parameters_tickers_and_pages_once(
    lambda_env: str,
    queues: dict[str, str],
    content: bytes,
    problem: str,
    capsys: pytest.CaptureFixture[str],
    lambda_context: Callable[[str], Any],
) -> None:
    """No raise, so no Lambda retry sending every job again: a metric that pages instead."""
    from functions.dispatch.app import handler as dispatch

    store = open_store(lambda_env)
    store.put_bytes(TICKERS_FILE, content)
    answer = dispatch(_scheduled_event(), lambda_context("cryptonic-dispatch"))
    assert f"{TICKERS_FILE} is not usable" in answer["problem"]
    assert problem in answer["problem"]
    assert (answer["sent"], answer["ok"]) == (2, False)
    sent = sorted(json.loads(m["Body"])["ticker"] for m in _drain(queues["jobs"]))
    assert sent == ["BTC-USD", "ETH-USD"]
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    [metrics] = [m for m in emf if "TickerListUnusable" in m]
    assert (metrics["TickerListUnusable"], metrics["TickersDispatched"]) == ([1.0], [2.0])


def test_a_malformed_job_is_reported_for_retry_and_runs_nothing(
    lambda_env: str,
    queues: dict[str, str],
    lambda_context: Callable[[str], Any],
) -> None:
    from functions.retrain.app import handler as retrain

    sqs = _client("sqs")
    sqs.send_message(QueueUrl=queues["jobs"], MessageBody=json.dumps({"tickr": "BTC-USD"}))
    answers = deliver(queues["jobs"], retrain, lambda_context)
    assert len(answers) == MAX_RECEIVES
    assert all(a["answer"]["batchItemFailures"] for a in answers)
    [dead] = _drain(queues["dlq"])
    assert json.loads(dead["Body"]) == {"tickr": "BTC-USD"}
    assert Registry(open_store(lambda_env)).champion("BTC-USD") is None


def test_a_deeply_nested_job_fails_its_own_item_only(
    lambda_env: str,
    queues: dict[str, str],
    lambda_context: Callable[[str], Any],
) -> None:
    """A body json.loads would recurse out of the stack on: refused like any bad body, and the
    good job of the same batch runs."""
    from functions.refresh.app import handler as refresh

    nested = '{"ticker": "BTC-USD", "run_id": ' + "[" * 100_000 + "]" * 100_000 + "}"
    good = json.dumps({"ticker": "NEW-USD"})  # by hand: no model yet, nothing to refresh
    event = json.loads((EVENTS / "refresh-sqs.json").read_text())
    [template] = event["Records"]
    event["Records"] = [
        {**template, "messageId": "nested", "body": nested},
        {**template, "messageId": "good", "body": good},
    ]
    answer = refresh(event, lambda_context("cryptonic-refresh"))
    assert answer == {"batchItemFailures": [{"itemIdentifier": "nested"}]}


def test_a_fanned_out_refresh_refreshes_every_good_ticker_and_reports_the_failed_one(
    lambda_env: str,
    queues: dict[str, str],
    price_folder: Path,
    published_model: Any,
    capsys: pytest.CaptureFixture[str],
    lambda_context: Callable[[str], Any],
) -> None:
    """Three champions; BAD-USD's latest prices carry a zero close, which the refresh refuses."""
    from functions.dispatch.app import handler as dispatch
    from functions.refresh.app import handler as refresh

    store = open_store(lambda_env)
    registry = Registry(store)
    prices = make_prices(290)
    for ticker in ("BTC-USD", "ETH-USD", "BAD-USD"):
        publish_version(registry, published_model, ticker=ticker, days=280)
        frame = prices.copy()
        if ticker == "BAD-USD":
            frame.loc[285, "close"] = 0.0
        (price_folder / f"{ticker}.csv").write_bytes(to_yahoo_csv(frame))
    store.put_json(TICKERS_FILE, ["BAD-USD"])

    event = dict(json.loads((EVENTS / "refresh-scheduled.json").read_text()))
    sent = dispatch(event, lambda_context("cryptonic-dispatch"))
    assert (sent["job"], sent["tickers"], sent["ok"]) == (
        "refresh",
        ["BTC-USD", "ETH-USD", "BAD-USD"],
        True,
    )
    answers = deliver(queues["jobs"], refresh, lambda_context)
    per_ticker: dict[str, list[bool]] = {}
    for item in answers:
        per_ticker.setdefault(item["body"]["ticker"], []).append(
            bool(item["answer"]["batchItemFailures"])
        )
    assert per_ticker == {"BTC-USD": [False], "ETH-USD": [False], "BAD-USD": [True, False]}
    assert _drain(queues["dlq"]) == []

    summary = RunLedger(store, "refresh").summary(sent["run_id"])
    assert summary is not None
    assert summary["counts"]["refreshed"] == 2
    assert summary["counts"]["failed"] == 1
    assert list(summary["failed"]) == ["BAD-USD"]
    [note] = _drain(queues["inbox"])
    assert json.loads(note["Body"])["Subject"] == "cryptonic: 1 of 3 tickers failed to refresh"

    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    [counts] = [m for m in emf if "TickersRefreshed" in m]
    # Every invocation reported its tickers' stale forecasts too, not only the run's end.
    assert len([m for m in emf if "StaleForecasts" in m and "TickersRefreshed" not in m]) == 4
    assert (counts["TickersRefreshed"], counts["TickersFailed"]) == ([2.0], [1.0])
    # The stale alarm's metric counts the served forecasts each invocation found stale.
    ledger = RunLedger(store, "refresh")
    stale = []
    for ticker in ("BTC-USD", "ETH-USD", "BAD-USD"):
        result = ledger.result(sent["run_id"], ticker)
        assert result is not None
        if (result["served"] or {}).get("stale"):
            stale.append(ticker)
    assert counts["StaleForecasts"] == [float(len(stale))]
    assert counts["stale_tickers"] == sorted(stale)


def _receive_all(queue_url: str, count: int) -> list[dict[str, Any]]:
    sqs = _client("sqs")
    received: list[dict[str, Any]] = []
    for _ in range(10):
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", [])
        received.extend(batch)
        if len(received) >= count:
            break
    assert len(received) == count, received
    return received


def test_two_deliveries_of_one_job_at_once_retrain_and_publish_once(
    lambda_env: str,
    queues: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: Callable[[str], Any],
) -> None:
    """A dispatch sent twice: two messages of one (run, ticker), run by two invocations at the
    same moment (threads) against moto's S3. One claims the ticker and works; the other finds
    the claim and backs off, and on its next delivery finds the result."""
    from functions.dispatch.app import handler as dispatch
    from functions.retrain.app import handler as retrain

    monkeypatch.setenv("TICKERS", "BTC-USD")
    get_settings.cache_clear()
    event = _scheduled_event()
    dispatch(event, lambda_context("cryptonic-dispatch"))
    dispatch(event, lambda_context("cryptonic-dispatch"))
    arn = _client("sqs").get_queue_attributes(QueueUrl=queues["jobs"], AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    messages = _receive_all(queues["jobs"], 2)
    start = threading.Barrier(2)
    answers: dict[str, Any] = {}

    def invoke(message: dict[str, Any]) -> None:
        start.wait()
        answers[message["MessageId"]] = retrain(
            sqs_event(message, arn), lambda_context("cryptonic-retrain")
        )

    threads = [threading.Thread(target=invoke, args=(m,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    backed_off = [m for m, a in answers.items() if a["batchItemFailures"]]
    assert len(backed_off) == 1  # the other one held the claim
    store = open_store(lambda_env)
    assert len(Registry(store).version_ids("BTC-USD")) == 1  # trained and published once
    for message in messages:
        if message["MessageId"] not in backed_off:
            _client("sqs").delete_message(
                QueueUrl=queues["jobs"], ReceiptHandle=message["ReceiptHandle"]
            )
    [later] = deliver(
        queues["jobs"], retrain, lambda_context
    )  # the backed-off one, delivered again
    assert not later["answer"]["batchItemFailures"]
    assert len(Registry(store).version_ids("BTC-USD")) == 1
    ledger = RunLedger(store)
    [run_id] = ledger.runs()
    result = ledger.result(run_id, "BTC-USD")
    assert result is not None
    assert (result["outcome"], result["attempt"]) == ("promoted", 1)
    summary = ledger.summary(run_id)
    assert summary is not None
    assert summary["counts"]["promoted"] == 1


def test_a_run_whose_last_delivery_dies_is_closed_by_the_sweeper_naming_it(
    lambda_env: str,
    queues: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lambda_context: Callable[[str], Any],
) -> None:
    """BTC-USD's delivery dies mid-training (a timeout) and its message is never delivered
    again (its receives spent, or expired): no result, no summary. Past the run's deadline the
    sweeper records it lost, and the run ends as any run does: summary, metrics under the
    retrain function's name, a notification naming the ticker."""
    from cryptonic.jobs.retrain import one_ticker
    from functions.dispatch.app import handler as dispatch
    from functions.retrain.app import handler as retrain

    backtest = one_ticker.backtest

    def dies_on_btc(settings: Any, spec: Any, ticker: str, *rest: Any) -> Any:
        if ticker == "BTC-USD":
            raise Crash("Task timed out after 900.00 seconds")
        return backtest(settings, spec, ticker, *rest)

    monkeypatch.setattr(one_ticker, "backtest", dies_on_btc)
    sent = dispatch(_scheduled_event(), lambda_context("cryptonic-dispatch"))
    sqs = _client("sqs")
    arn = sqs.get_queue_attributes(QueueUrl=queues["jobs"], AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    for message in _receive_all(queues["jobs"], 2):
        with contextlib.suppress(Crash):  # the invocation died; never delivered again
            retrain(sqs_event(message, arn), lambda_context("cryptonic-retrain"))
        sqs.delete_message(QueueUrl=queues["jobs"], ReceiptHandle=message["ReceiptHandle"])
    store = open_store(lambda_env)
    ledger = RunLedger(store)
    assert ledger.summary(sent["run_id"]) is None  # the run cannot end by itself
    settings = get_settings()
    notify = sns_notifier(settings.alarm_topic_arn)
    assert sweep(settings, store, notify).closed == {}  # within its deadline: it may yet come
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=settings.retrain_run_hours + 1)
    done = sweep(settings, store, notify, now=later)
    assert done.closed == {"retrain": [sent["run_id"]]}
    lost = ledger.result(sent["run_id"], "BTC-USD")
    assert lost is not None
    assert lost["outcome"] == "lost"
    assert "attempt 1 started" in lost["error"]["message"]
    summary = ledger.summary(sent["run_id"])
    assert summary is not None
    assert (summary["counts"]["promoted"], summary["counts"]["lost"]) == (1, 1)
    assert summary["reported"]
    [note] = _drain(queues["inbox"])
    body = json.loads(note["Body"])
    assert body["Subject"] == "cryptonic: 1 of 2 tickers failed to retrain"
    assert "BTC-USD: [lost]" in body["Message"]
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    [closed] = [m for m in emf if m.get("TickersLost", [0]) != [0]]
    assert (closed["FunctionName"], closed["failed_tickers"]) == ("cryptonic-retrain", ["BTC-USD"])
