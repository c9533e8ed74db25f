"""Fault injection at every step boundary of a retrain and a refresh job, against moto's S3.

Each case runs one ticker's job of a planned run through its queue consumer (the SQS event is
the shipped payload, infra/events/*-sqs.json, with the job's body) on a store that dies at one
write: just before it is sent, or just after it landed (:class:`CrashingStore` raises
:class:`Crash`, a BaseException nothing of ours catches, as a timeout or out of memory would end
the process). Then SQS delivers the same message again, on the healthy store, and an hour later
the sweeper runs. Whatever the step, afterwards:

* the ticker has one final result, and the run one summary, reported;
* nothing was published twice: one version of the ticker (the retrain), one dated forecast of
  the day (the refresh); the champion is the version the run published;
* no half state: a version without a manifest (a crash mid-publish) is removed by the sweeper.

The table of injected faults and what became of them is printed at the end of the module
(``pytest tests/integration/jobs/test_faults.py``); the closing note of issue 23 quotes it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Literal

import pytest

from cryptonic.config import Settings
from cryptonic.data import to_yahoo_csv
from cryptonic.jobs.refresh.outcomes import OUTCOME_METRICS as REFRESH_OUTCOMES
from cryptonic.jobs.refresh.queue import handle_refresh_queue
from cryptonic.jobs.retrain.outcomes import OUTCOME_METRICS as RETRAIN_OUTCOMES
from cryptonic.jobs.retrain.queue import handle_retrain_queue
from cryptonic.jobs.runs.ledger import RunLedger, new_run_id
from cryptonic.jobs.sweeper import sweep
from cryptonic.registry.registry import Registry
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.uri import open_store
from tests.fixtures.paths import EVENTS
from tests.fixtures.prices import make_prices
from tests.fixtures.published import publish_version

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("retrain_without_fits")]

TICKER = "BTC-USD"
When = Literal["before", "after"]
TABLE: list[str] = []


class Crash(BaseException):
    """The process dying mid-job: nothing of ours catches a BaseException."""


class CrashingStore:
    """A store whose process dies at the ``nth`` write of a key ``matches`` accepts."""

    def __init__(
        self, store: ArtifactStore, matches: Callable[[str], bool], nth: int, when: When
    ) -> None:
        self.store, self.matches, self.nth, self.when = store, matches, nth, when
        self.seen = 0
        self.fired = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def _write(self, key: str, write: Callable[[], str]) -> str:
        if self.fired or not self.matches(key):
            return write()
        self.seen += 1
        if self.seen < self.nth:
            return write()
        self.fired = True
        if self.when == "before":
            raise Crash(f"died before writing {key}")
        write()
        raise Crash(f"died after writing {key}")

    def put_bytes(self, key: str, data: bytes, **options: Any) -> str:
        return self._write(key, lambda: self.store.put_bytes(key, data, **options))

    def put_json(self, key: str, value: Any, **options: Any) -> str:
        return self._write(key, lambda: self.store.put_json(key, value, **options))


def _ends(suffix: str) -> Callable[[str], bool]:
    return lambda key: key.endswith(suffix)


DATED = re.compile(rf"^forecasts/{TICKER}/\d{{4}}-\d{{2}}-\d{{2}}/")
RUN_STEPS: list[tuple[str, Callable[[str], bool], int]] = [
    ("result", _ends(f"/results/{TICKER}.json"), 1),
    ("summary", _ends("/summary.json"), 1),
    ("summary reported", _ends("/summary.json"), 2),
]
RETRAIN_STEPS: list[tuple[str, Callable[[str], bool], int]] = [
    ("claim", _ends(f"/claims/{TICKER}.json"), 1),
    ("claim checkpoint", _ends(f"/claims/{TICKER}.json"), 2),
    ("first artifact", lambda key: "/versions/" in key, 1),
    ("manifest", _ends("/manifest.json"), 1),
    ("champion pointer", _ends("/champion.json"), 1),
    ("prices mirror", lambda key: key == f"{TICKER}/prices.csv", 1),
    ("dated forecast", lambda key: bool(DATED.match(key)), 1),
    ("latest.json", _ends(f"forecasts/{TICKER}/latest.json"), 1),
    *RUN_STEPS,
]
REFRESH_STEPS: list[tuple[str, Callable[[str], bool], int]] = [
    ("claim", _ends(f"/claims/{TICKER}.json"), 1),
    ("calibration.json", _ends(f"forecasts/{TICKER}/calibration.json"), 1),
    ("dated forecast", lambda key: bool(DATED.match(key)), 1),
    ("latest.json", _ends(f"forecasts/{TICKER}/latest.json"), 1),
    ("scores.json", _ends("/scores.json"), 1),
    ("track-record.json", _ends("/track-record.json"), 1),
    *RUN_STEPS,
]


def _cases(steps: list[tuple[str, Callable[[str], bool], int]]) -> list[Any]:
    return [
        pytest.param(label, matches, nth, when, id=f"{when}-{label.replace(' ', '-')}")
        for label, matches, nth in steps
        for when in ("before", "after")
    ]


@pytest.fixture(scope="module", autouse=True)
def fault_table(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print the table of injected faults and outcomes once the module's cases ran (past
    pytest's output capture, so a plain run shows it)."""
    yield
    if not TABLE:
        return
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n\ninjected fault -> outcome after SQS's redelivery and the sweeper")
        print("\n".join(TABLE))


def _event(job: str, body: dict[str, Any], count: int) -> dict[str, Any]:
    event = json.loads((EVENTS / f"{job}-sqs.json").read_text())
    [record] = event["Records"]
    record["body"] = json.dumps(body)
    record["attributes"]["ApproximateReceiveCount"] = str(count)
    return dict(event)


def _run(store: ArtifactStore, job: str, outcomes: dict[str, str]) -> tuple[RunLedger, str]:
    ledger = RunLedger(store, job, list(outcomes))  # type: ignore[arg-type]
    run_id = new_run_id(token=job)
    ledger.write_plan(run_id, [TICKER], {})
    return ledger, run_id


def _crash_then_redeliver(
    handle: Callable[..., dict[str, Any]],
    settings: Settings,
    crashing: CrashingStore,
    body: dict[str, Any],
    job: str,
) -> list[tuple[str, str]]:
    notes: list[tuple[str, str]] = []

    def notify(subject: str, message: str) -> None:
        notes.append((subject, message))

    with pytest.raises(Crash):
        handle(_event(job, body, 1), settings, notify=notify, store=crashing)
    assert crashing.fired
    answer = handle(_event(job, body, 2), settings, notify=notify, store=crashing.store)
    assert answer == {"batchItemFailures": []}
    return notes


def _swept(settings: Settings, store: ArtifactStore) -> list[str]:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    return sweep(settings, store, None, now=later).orphans


def _finished(ledger: RunLedger, run_id: str) -> dict[str, Any]:
    """The one result of the ticker, after checking the run ended and was reported once."""
    assert ledger.finished(run_id) == {TICKER}
    result = ledger.result(run_id, TICKER)
    summary = ledger.summary(run_id)
    assert result is not None
    assert summary is not None
    assert summary["reported"]
    assert sum(summary["counts"].values()) == 1
    return result


@pytest.mark.parametrize(("label", "matches", "nth", "when"), _cases(RETRAIN_STEPS))
def test_a_retrain_that_dies_at_any_write_publishes_once_and_its_run_ends(
    make_settings: Callable[..., Settings],
    s3_store_uri: str,
    label: str,
    matches: Callable[[str], bool],
    nth: int,
    when: When,
) -> None:
    settings = make_settings(s3_store_uri)
    store = open_store(s3_store_uri)
    ledger, run_id = _run(store, "retrain", RETRAIN_OUTCOMES)
    body = {"run_id": run_id, "ticker": TICKER, "strategy": None, "force": False}
    crashing = CrashingStore(store, matches, nth, when)
    notes = _crash_then_redeliver(handle_retrain_queue, settings, crashing, body, "retrain")
    orphans = _swept(settings, store)

    result = _finished(ledger, run_id)
    registry = Registry(store)
    [version] = registry.version_ids(TICKER)  # published once
    champion = registry.champion(TICKER)
    assert champion is not None
    assert (result["outcome"], result["version"], champion.version) == (
        "promoted",
        version,
        version,
    )
    assert {k.split("/")[2] for k in store.list(f"{TICKER}/versions/")} == {version}  # no half
    assert any(version in key for key in store.list(f"forecasts/{TICKER}/"))
    assert notes == []
    how = "resumed from its checkpoint" if "resumed" in result["reason"] else "ran"
    TABLE.append(
        f"retrain  crash {when:<6} {label:<18} -> {result['outcome']} (attempt "
        f"{result['attempt']} {how}), 1 version published and champion, run summarized"
        + (f", {len(orphans)} orphaned artifacts removed" if orphans else "")
    )


@pytest.fixture
def refresh_settings(s3_store_uri: str, published_model: Any, tmp_path: Any) -> Settings:
    """A champion trained to day 280 of 290, and the prices to day 290: one forecast to make."""
    prices = tmp_path / "prices.csv"
    prices.write_bytes(to_yahoo_csv(make_prices(290)))
    store = open_store(s3_store_uri)
    publish_version(Registry(store), published_model, ticker=TICKER, days=280)
    return Settings(store_uri=s3_store_uri, data_source=str(prices), tickers=[TICKER])


@pytest.mark.parametrize(("label", "matches", "nth", "when"), _cases(REFRESH_STEPS))
def test_a_refresh_that_dies_at_any_write_logs_once_and_its_run_ends(
    refresh_settings: Settings,
    label: str,
    matches: Callable[[str], bool],
    nth: int,
    when: When,
) -> None:
    store = open_store(refresh_settings.store_uri)
    ledger, run_id = _run(store, "refresh", REFRESH_OUTCOMES)
    crashing = CrashingStore(store, matches, nth, when)
    body = {"run_id": run_id, "ticker": TICKER}
    notes = _crash_then_redeliver(handle_refresh_queue, refresh_settings, crashing, body, "refresh")
    _swept(refresh_settings, store)

    result = _finished(ledger, run_id)
    assert result["outcome"] in {"refreshed", "unchanged"}
    dated = [k for k in store.list(f"forecasts/{TICKER}/") if DATED.match(k)]
    assert len({k.split("/")[2] for k in dated}) == 1  # one day's forecast, logged once
    assert store.exists(f"forecasts/{TICKER}/latest.json")
    assert store.exists(f"forecasts/{TICKER}/track-record.json")
    calibration = store.get_json(f"forecasts/{TICKER}/calibration.json")
    assert calibration["adaptive"]["updates"] == 0  # nothing matured yet: nothing applied
    assert notes == []
    TABLE.append(
        f"refresh  crash {when:<6} {label:<18} -> {result['outcome']} (attempt "
        f"{result['attempt']}), {len(dated)} dated forecast, track record, run summarized"
    )
