"""template.yaml's guards of the public forecast API (issue 22): an optional reserved concurrency,
the HTTP API's default route throttling, and a read policy scoped to what serving reads.

The policy is evaluated here the way IAM evaluates it (Allow statements, ``*`` and ``?``
wildcards in resources and ``StringLike``, every condition key of a statement required), against
keys built by the store layout's one home (cryptonic.registry.keys) and by the real run ledger.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from cryptonic.jobs.runs.ledger import RunLedger, new_run_id
from cryptonic.jobs.ticker_list import TICKERS_FILE
from cryptonic.registry.keys import (
    ARTIFACT_NAMES,
    MANIFEST_NAME,
    artifact_key,
    champion_key,
    check_ticker,
    forecast_key,
    forecasts_prefix,
    latest_key,
    prices_key,
    scores_key,
    ticker_folder,
    track_record_key,
)
from cryptonic.store.local import LocalStore
from tests.fixtures.paths import REPO
from tests.fixtures.template import load_template

BUCKET_ARN = "arn:aws:s3:::cryptonic-modelbucket-abc"
STORE_PREFIX = "models/"  # STORE_URI = s3://${ModelBucket}/models
VERSION = "20261123T192000Z-1a2b3c4"
TICKERS = ["BTC-USD", "AAPL", "^GSPC", "EURUSD=X"]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def _resolve(value: Any) -> str:
    """A resource ARN of this template with the bucket's ARN filled in."""
    if isinstance(value, str):
        return value
    if value == {"Fn::GetAtt": ["ModelBucket", "Arn"]}:
        return BUCKET_ARN
    sub = value["Fn::Sub"]
    assert sub.startswith("${ModelBucket.Arn}"), sub
    return sub.replace("${ModelBucket.Arn}", BUCKET_ARN)


def _like(pattern: str, value: str) -> bool:
    """IAM's wildcard match: ``*`` any run of characters (slashes included), ``?`` one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


def _condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in condition.items():
        for key, wanted in tests.items():
            values = wanted if isinstance(wanted, list) else [wanted]
            if key not in context:
                return False  # no ...IfExists operator here: an absent key fails the test
            if operator == "StringEquals":
                if context[key] not in values:
                    return False
            elif operator == "StringLike":
                if not any(_like(v, context[key]) for v in values):
                    return False
            elif operator == "StringNotLike":
                if any(_like(v, context[key]) for v in values):
                    return False
            else:
                raise AssertionError(f"the test evaluator does not know {operator}: extend it")
    return True


def predict_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    policies = template["Resources"]["PredictFunction"]["Properties"]["Policies"]
    assert [set(p) for p in policies] == [{"Statement"}], "one inline policy, no SAM templates"
    statements: list[dict[str, Any]] = policies[0]["Statement"]
    return statements


def allowed(statements: list[dict[str, Any]], action: str, resource: str, **context: str) -> bool:
    """Whether the function's policy allows ``action`` on ``resource`` with these keys set."""
    for statement in statements:
        assert statement["Effect"] == "Allow", statement
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        resources = statement["Resource"]
        resources = resources if isinstance(resources, list) else [resources]
        if not any(_like(a, action) for a in actions):
            continue
        if not any(_like(_resolve(r), resource) for r in resources):
            continue
        if _condition_holds(statement.get("Condition", {}), context):
            return True
    return False


def serving_keys() -> list[str]:
    """Every key serving may read, for a few tickers, in the store's layout."""
    keys: list[str] = []
    for ticker in TICKERS:
        keys += [champion_key(ticker), prices_key(ticker), latest_key(ticker)]
        keys += [scores_key(ticker), track_record_key(ticker)]
        keys += [artifact_key(ticker, VERSION, name) for name in (*ARTIFACT_NAMES, MANIFEST_NAME)]
        keys.append(forecast_key(ticker, dt.date(2026, 11, 23), VERSION))
    return [STORE_PREFIX + key for key in keys]


def keys_serving_never_reads(tmp_path: Path) -> list[str]:
    """The run ledgers, as the real ledger writes them, and the scheduled runs' ticker list."""
    store = LocalStore(tmp_path / "store")
    for job in ("retrain", "refresh"):
        RunLedger(store, job).write_plan(new_run_id(), ["BTC-USD"], {})
    ledger = store.list("")
    assert len(ledger) == 2, ledger
    assert all(k.startswith("runs/") for k in ledger), ledger
    run = ledger[0].split("/")[2]
    extra = [f"runs/retrain/{run}/results/BTC-USD.json", f"runs/retrain/{run}/summary.json"]
    return [STORE_PREFIX + key for key in [*ledger, *extra, TICKERS_FILE]]


def test_serving_reads_every_key_it_needs(template):
    statements = predict_statements(template)
    for key in serving_keys():
        assert allowed(statements, "s3:GetObject", f"{BUCKET_ARN}/{key}"), key


def test_serving_never_reads_the_run_ledgers_nor_the_ticker_list(template, tmp_path):
    statements = predict_statements(template)
    for key in keys_serving_never_reads(tmp_path):
        assert not allowed(statements, "s3:GetObject", f"{BUCKET_ARN}/{key}"), key
    assert not allowed(statements, "s3:GetObject", f"{BUCKET_ARN}/other/BTC-USD/champion.json")
    for action in ("s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion"):
        assert not allowed(statements, action, f"{BUCKET_ARN}/{champion_key('BTC-USD')}"), action


def test_a_missing_key_serving_reads_answers_404_not_403(template):
    """S3 answers a GET or HEAD of a missing key 404 only if s3:ListBucket would allow the key
    as a prefix, else 403: an unknown ticker must read as "no model", not "access denied"."""
    statements = predict_statements(template)
    for key in serving_keys():
        assert allowed(statements, "s3:ListBucket", BUCKET_ARN, **{"s3:prefix": key}), key


def test_listing_the_tickers_costs_one_entry_per_ticker_never_every_key(template):
    statements = predict_statements(template)

    def may_list(**context: str) -> bool:
        return allowed(statements, "s3:ListBucket", BUCKET_ARN, **context)

    assert may_list(**{"s3:prefix": STORE_PREFIX, "s3:delimiter": "/"})  # the tickers' folders
    for ticker in TICKERS:
        assert may_list(**{"s3:prefix": STORE_PREFIX + f"{check_ticker(ticker)}/versions/"})
        folder = STORE_PREFIX + f"{check_ticker(ticker)}/versions/"
        assert may_list(**{"s3:prefix": folder, "s3:delimiter": "/"})
        assert may_list(**{"s3:prefix": STORE_PREFIX + forecasts_prefix(ticker)})
        one_ticker = STORE_PREFIX + ticker_folder(ticker)  # Registry.has_ticker
        assert may_list(**{"s3:prefix": one_ticker, "s3:delimiter": "/"})
        assert not may_list(**{"s3:prefix": one_ticker})
    assert not may_list()  # the whole bucket
    assert not may_list(**{"s3:prefix": STORE_PREFIX})  # every key of the store
    assert not may_list(**{"s3:prefix": ""})
    assert not may_list(**{"s3:prefix": STORE_PREFIX, "s3:delimiter": "-"})
    assert not may_list(**{"s3:prefix": STORE_PREFIX + "runs/"})
    assert not may_list(**{"s3:prefix": STORE_PREFIX + "runs/retrain/", "s3:delimiter": "/"})
    assert not may_list(**{"s3:prefix": STORE_PREFIX + "runs/", "s3:delimiter": "/"})


def _resolved(value: Any, parameters: dict[str, str], conditions: dict[str, Any]) -> Any:
    """``Fn::If`` over a ``Not Equals`` condition and ``Ref`` of a parameter, as deployed."""
    if isinstance(value, dict) and "Fn::If" in value:
        name, then, otherwise = value["Fn::If"]
        [[left, right]] = conditions[name]["Fn::Not"][0].values()
        holds = parameters[left["Ref"]] != right
        return _resolved(then if holds else otherwise, parameters, conditions)
    if isinstance(value, dict) and "Ref" in value:
        return None if value["Ref"] == "AWS::NoValue" else parameters[value["Ref"]]
    return value


def test_predict_reserved_concurrency_is_optional_and_off_by_default(template):
    """A new account (10 concurrent executions, 10 of them unreservable) refuses any reservation;
    with one, public traffic can never take the jobs' concurrency."""
    spec = template["Parameters"]["PredictReservedConcurrency"]
    assert (spec["Type"], spec["Default"], spec["MinValue"]) == ("Number", 0, 0)
    reserved = template["Resources"]["PredictFunction"]["Properties"][
        "ReservedConcurrentExecutions"
    ]
    conditions = template["Conditions"]
    assert _resolved(reserved, {"PredictReservedConcurrency": "0"}, conditions) is None
    assert _resolved(reserved, {"PredictReservedConcurrency": "5"}, conditions) == "5"


def page_static_files() -> int:
    """Files the page asks /static/{proxy+} for as it loads (its style sheet and modules)."""
    html = (REPO / "cryptonic" / "api" / "static" / "index.html").read_text()
    return len(set(re.findall(r"static/\{\{ASSETS\}\}/([\w.-]+)", html)))


def test_the_http_api_throttles_every_route_by_parameters(template):
    settings = template["Globals"]["HttpApi"]["DefaultRouteSettings"]
    assert settings == {
        "ThrottlingBurstLimit": {"Ref": "ApiThrottlingBurstLimit"},
        "ThrottlingRateLimit": {"Ref": "ApiThrottlingRateLimit"},
    }
    params = template["Parameters"]
    rate, burst = params["ApiThrottlingRateLimit"], params["ApiThrottlingBurstLimit"]
    assert (rate["Default"], burst["Default"]) == (20, 50)
    assert rate["MinValue"] >= 1  # 0 would close the API
    assert burst["MinValue"] >= 1
    # The burst is per route: the page's static files arrive together on one route, and three
    # page loads at once must not be refused.
    assert page_static_files() >= 10
    assert burst["Default"] >= 3 * page_static_files()
    groups = template["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    [limits] = [g for g in groups if g["Label"]["default"].startswith("Serving limits")]
    assert set(limits["Parameters"]) == {
        "ApiThrottlingRateLimit",
        "ApiThrottlingBurstLimit",
        "PredictReservedConcurrency",
    }
