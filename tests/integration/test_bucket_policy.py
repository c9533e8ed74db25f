"""Every write the retrain path makes on S3 is one the template's bucket policy allows.

The bucket policy denies overwriting a published version and moving the champion pointer without
a condition. This runs the real writers (a tiny retrain, a forced second one, a rollback) against
moto's S3 server, records each PutObject as botocore sends it (botocore's public event hooks, no
patching), and evaluates the template's Deny statements on those requests: a client change that
drops a condition header fails here before it fails in a deployed bucket.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from cryptonic.pipeline import retrain
from cryptonic.registry import Registry
from cryptonic.store import S3Store
from tests.integration.test_infra_template import load_template

pytestmark = pytest.mark.slow
BUCKET_ARN = "arn:aws:s3:::model-bucket"


def deny_statements() -> list[dict[str, Any]]:
    [policy] = [
        r for r in load_template()["Resources"].values() if r["Type"] == "AWS::S3::BucketPolicy"
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    return [s for s in statements if s["Effect"] == "Deny" and s["Action"] == "s3:PutObject"]


def denied_by(statement: dict[str, Any], key: str, headers: dict[str, str]) -> bool:
    """IAM's rules for what these statements use: a wildcard resource and Null conditions."""
    resource = statement["Resource"]["Fn::Sub"].replace("${ModelBucket.Arn}", BUCKET_ARN)
    if not fnmatch.fnmatchcase(f"{BUCKET_ARN}/{key}", resource):
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
    assert {s["Sid"] for s in statements} == {"DenyOverwritingVersions", "DenyBlindChampionWrites"}
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


@pytest.mark.parametrize(
    ("key", "headers", "sid"),
    [
        ("models/BTC-USD/versions/v1/model.keras", {}, "DenyOverwritingVersions"),
        ("models/BTC-USD/champion.json", {}, "DenyBlindChampionWrites"),
    ],
)
def test_the_evaluator_does_catch_an_unconditional_write(key, headers, sid):
    """The check above can fail: the same requests without their condition are refused."""
    [statement] = [s for s in deny_statements() if s["Sid"] == sid]
    assert denied_by(statement, key, headers)
    assert not denied_by(statement, key, {"if-none-match": "*"})
    if sid == "DenyBlindChampionWrites":
        assert not denied_by(statement, key, {"if-match": '"abc"'})
    assert not denied_by(statement, "models/BTC-USD/prices.csv", headers)
