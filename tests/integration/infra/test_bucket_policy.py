"""Every write the retrain and refresh paths make on S3 is one the template's bucket policy allows.

The bucket policy denies overwriting a published version or a dated forecast, and moving the
champion pointer or the forecast log's pointers (latest.json, scores.json, track-record.json)
without a condition. This runs the real writers (a tiny retrain, a forced second one, a
rollback; daily refreshes with a shadow challenger, a rerun and pruning) against moto's S3 server,
records each PutObject as botocore sends it (botocore's public event hooks, no
patching), and evaluates the template's Deny statements on those requests: a client change that
drops a condition header fails here before it fails in a deployed bucket.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from typing import Any

import pytest

from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.registry.registry import Registry
from cryptonic.store.s3 import S3Store
from tests.fixtures.published import BASE_TIME, publish_version
from tests.fixtures.refreshed import refresh_through
from tests.fixtures.template import load_template

pytestmark = pytest.mark.slow
BUCKET_ARN = "arn:aws:s3:::model-bucket"
ALL_DENY_SIDS = {
    "DenyOverwritingVersions",
    "DenyBlindChampionWrites",
    "DenyOverwritingForecasts",
    "DenyBlindForecastPointerWrites",
}
FORECAST = "models/forecasts/BTC-USD/2026-10-05/20261005T003000Z-1a2b3c4.json"


def deny_statements() -> list[dict[str, Any]]:
    [policy] = [
        r for r in load_template()["Resources"].values() if r["Type"] == "AWS::S3::BucketPolicy"
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    return [s for s in statements if s["Effect"] == "Deny" and s["Action"] == "s3:PutObject"]


def denied_by(statement: dict[str, Any], key: str, headers: dict[str, str]) -> bool:
    """IAM's rules for what these statements use: a wildcard resource and Null conditions."""
    listed = statement["Resource"]
    resources = [
        r["Fn::Sub"].replace("${ModelBucket.Arn}", BUCKET_ARN)
        for r in (listed if isinstance(listed, list) else [listed])
    ]
    # IAM's wildcard, like fnmatch's, matches across "/".
    if not any(fnmatch.fnmatchcase(f"{BUCKET_ARN}/{key}", r) for r in resources):
        return False
    header_of = {"s3:if-none-match": "if-none-match", "s3:if-match": "if-match"}
    conditions = statement.get("Condition", {})
    assert set(conditions) <= {"Null"}, "extend the evaluator"
    return all(
        (header_of[name] not in headers) == (expected == "true")
        for name, expected in conditions.get("Null", {}).items()
    )


@pytest.fixture
def recorded_puts(s3_store: S3Store) -> list[tuple[str, dict[str, str]]]:
    puts: list[tuple[str, dict[str, str]]] = []

    def record(request: Any, **_: Any) -> None:
        key = request.url.split(f"/{s3_store.bucket}/", 1)[1].split("?", 1)[0]
        headers = {k.lower(): v for k, v in request.headers.items()}
        puts.append((key, headers))

    s3_store.client.meta.events.register("before-send.s3.PutObject", record)
    return puts


def test_the_retrain_writers_never_trip_the_bucket_policy(make_settings, s3_store, recorded_puts):
    settings = make_settings(s3_store.uri)
    first = retrain(settings, s3_store, "BTC-USD")
    second = retrain(settings, s3_store, "BTC-USD", force=True)
    registry = Registry(s3_store)
    registry.promote("BTC-USD", second.version or "")
    registry.rollback("BTC-USD")
    assert first.promoted
    assert second.version

    statements = deny_statements()
    assert {s["Sid"] for s in statements} == ALL_DENY_SIDS
    keys = [key for key, _ in recorded_puts]
    assert any("/versions/" in k for k in keys)
    assert any(k.endswith("champion.json") for k in keys)
    refused = [
        (key, statement["Sid"])
        for key, headers in recorded_puts
        for statement in statements
        if denied_by(statement, key, headers)
    ]
    assert refused == []


def test_the_refresh_writers_never_trip_the_bucket_policy(
    s3_store, recorded_puts, published_model, tmp_path
):
    """Daily refreshes of a champion and a shadow challenger, the same day rerun, then a refresh
    that prunes past a short retention: every PUT carries the condition its key needs."""
    minute = dt.timedelta(minutes=1)
    registry = Registry(s3_store, clock=lambda: BASE_TIME + minute)  # promoted a minute after
    champion = publish_version(registry, published_model, days=280, when=BASE_TIME)
    shadow = publish_version(
        registry, published_model, days=280, promote=False, when=BASE_TIME + 2 * minute
    )
    refresh_through(s3_store, [280, 281, 285, 285], tmp_path)
    [last] = refresh_through(s3_store, [299], tmp_path, forecast_retention_days=14)
    assert last.pruned > 0
    assert {f["version"] for f in last.forecasts} == {champion, shadow}

    statements = deny_statements()
    forecast_puts = [(k, h) for k, h in recorded_puts if k.startswith("models/forecasts/")]
    names = {k.rsplit("/", 1)[1] for k, _ in forecast_puts}
    assert {"latest.json", "scores.json", "track-record.json"} <= names
    dated = [k for k, _ in forecast_puts if k.count("/") == 4]
    assert {f"{v}.json" for v in (champion, shadow)} <= {k.rsplit("/", 1)[1] for k in dated}
    # Each pointer was created once, then moved by compare-and-swap.
    assert any("if-match" in h for k, h in forecast_puts if k.endswith("latest.json"))
    refused = [
        (key, statement["Sid"])
        for key, headers in recorded_puts
        for statement in statements
        if denied_by(statement, key, headers)
    ]
    assert refused == []


@pytest.mark.parametrize(
    ("key", "headers", "sid"),
    [
        ("models/BTC-USD/versions/v1/model.keras", {}, "DenyOverwritingVersions"),
        ("models/BTC-USD/champion.json", {}, "DenyBlindChampionWrites"),
        (FORECAST, {}, "DenyOverwritingForecasts"),
        ("models/forecasts/BTC-USD/latest.json", {}, "DenyBlindForecastPointerWrites"),
        ("models/forecasts/BTC-USD/scores.json", {}, "DenyBlindForecastPointerWrites"),
        ("models/forecasts/BTC-USD/track-record.json", {}, "DenyBlindForecastPointerWrites"),
        ("models/forecasts/BTC-USD/calibration.json", {}, "DenyBlindForecastPointerWrites"),
    ],
)
def test_the_evaluator_does_catch_an_unconditional_write(key, headers, sid):
    """The check above can fail: the same requests without their condition are refused."""
    [statement] = [s for s in deny_statements() if s["Sid"] == sid]
    assert denied_by(statement, key, headers)
    assert not denied_by(statement, key, {"if-none-match": "*"})
    if sid in {"DenyBlindChampionWrites", "DenyBlindForecastPointerWrites"}:
        assert not denied_by(statement, key, {"if-match": '"abc"'})
    assert not denied_by(statement, "models/BTC-USD/prices.csv", headers)


def test_a_dated_forecast_is_create_only_and_a_pointer_moves_only_by_compare_and_swap():
    """A blind overwrite of a dated forecast, or a replace of it even with If-Match, is refused;
    a compare-and-swap write of latest.json is allowed, a blind one is not."""
    statements = deny_statements()

    def refused(key: str, headers: dict[str, str]) -> set[str]:
        return {s["Sid"] for s in statements if denied_by(s, key, headers)}

    assert refused(FORECAST, {}) == {"DenyOverwritingForecasts"}
    assert refused(FORECAST, {"if-match": '"abc"'}) == {"DenyOverwritingForecasts"}
    assert refused(FORECAST, {"if-none-match": "*"}) == set()
    latest = "models/forecasts/BTC-USD/latest.json"
    assert refused(latest, {"if-match": '"abc"'}) == set()
    assert refused(latest, {"if-none-match": "*"}) == set()  # its first write
    assert refused(latest, {}) == {"DenyBlindForecastPointerWrites"}
