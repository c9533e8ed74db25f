"""template.yaml, the Dockerfiles and the function requirements: what no linter checks.

cfn-lint and `sam validate` (tests/integration/test_infra_static.py) check the template against
the CloudFormation and SAM schemas. These tests check it against this project: the env names
Settings reads, the handlers and requirements the images are built from, the least-privilege and
safety choices of the README's deploy guide, and the pins shared with requirements.txt.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import sys
import typing
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from cryptonic.config import PRICE_EXCHANGES, Settings, Strategy, VersionPins, source_chain
from cryptonic.registry.keys import VERSION_PATTERN
from tests.fixtures.paths import REPO
from tests.fixtures.template import env_vars, load_template

ROOT = REPO
TEMPLATE = ROOT / "template.yaml"
ENV_JSON = ROOT / "infra" / "env.json"

# Env names set on a function that are not Settings fields, with the reader that wants them.
NON_SETTINGS_ENV = {"AWS_ENDPOINT_URL_S3": "botocore: MinIO/LocalStack endpoint"}
# The textbook's names, which an old deployment may still set.
BOOK_ENV = {"BITCOIN_START_DATE": "start_date", "MODEL_NAME": "model_version"}
# Lambda's limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
MAX_TIMEOUT_S, MIN_MEMORY_MB, MAX_MEMORY_MB = 900, 128, 10_240
# A new account's functions get at most 3008 MB until Lambda raises its quota.
NEW_ACCOUNT_MAX_MEMORY_MB = 3008
# API Gateway HTTP API stops waiting for an integration after 30 s.
HTTP_API_TIMEOUT_S = 30
# Serving image budget (design.md section 8): no training stack, no pandas (yfinance needs it).
SERVING_FORBIDDEN = {
    "tensorflow",
    "tensorflow-cpu",
    "keras",
    "pandas",
    "yfinance",
    "ccxt",
    "matplotlib",
}
TRAINING_FORBIDDEN = {"fastapi", "mangum", "uvicorn", "matplotlib"}
WRITE_POLICY_TEMPLATES = {"S3CrudPolicy", "S3WritePolicy", "S3FullAccessPolicy"}
READ_ACTION = re.compile(r"^s3:(Get|List|Head)[A-Za-z]*$")
# Each function's image: the daily refresh runs on the retrain's (its own handler, no TensorFlow).
IMAGE_OF = {
    "predict": "predict",
    "retrain": "retrain",
    "refresh": "retrain",
    "dispatch": "retrain",
    "sweep": "retrain",
}
ALL_FUNCTIONS = [
    "PredictFunction",
    "RetrainFunction",
    "RefreshFunction",
    "DispatchFunction",
    "SweepFunction",
]
# AWS's SQS and Lambda guidance: at least 5 receives where throttling can return messages.
MIN_MAX_RECEIVE_COUNT = 5
RESOURCE_REFS = {
    "ModelBucket": "cryptonic-modelbucket-abc",
    "AlarmTopic": "arn:aws:sns:us-east-1:123456789012:cryptonic-AlarmTopic-abc",
    "RetrainQueue": "https://sqs.us-east-1.amazonaws.com/123456789012/cryptonic-RetrainQueue-abc",
    "RefreshQueue": "https://sqs.us-east-1.amazonaws.com/123456789012/cryptonic-RefreshQueue-abc",
    "RetrainFunction": "cryptonic-RetrainFunction-abc",
    "RefreshFunction": "cryptonic-RefreshFunction-abc",
}
"""What ``Ref`` of a resource resolves to at deploy time, for the env-parsing tests."""
# Parameter -> (env name, Settings field) of the daily refresh.
REFRESH_PARAMETERS = {
    "RefreshHourUtc": ("REFRESH_HOUR_UTC", "refresh_hour_utc"),
    "StaleAfterHours": ("STALE_AFTER_HOURS", "stale_after_hours"),
    "RefreshMaxMissedDays": ("REFRESH_MAX_MISSED_DAYS", "refresh_max_missed_days"),
    "ShadowChallengers": ("SHADOW_CHALLENGERS", "shadow_challengers"),
    "ForecastRetentionDays": ("FORECAST_RETENTION_DAYS", "forecast_retention_days"),
}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def function_short_name(logical_id: str) -> str:
    """PredictFunction -> predict: the folder under functions/ and the image's handler module."""
    assert logical_id.endswith("Function"), logical_id
    return logical_id.removesuffix("Function").lower()


def settings_env_names() -> set[str]:
    """Every env name Settings reads: the upper-case validation aliases of its fields."""
    names: set[str] = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        choices = getattr(alias, "choices", [alias] if alias else [])
        names.update(c for c in choices if isinstance(c, str) and c.isupper())
    return names


class _Resolver:
    """Evaluates the intrinsics this template uses, with every parameter at its default."""

    def __init__(self, template: dict[str, Any], placeholders: dict[str, str]) -> None:
        self.template = template
        self.placeholders = placeholders

    def param(self, name: str) -> Any:
        if name in self.placeholders:
            return self.placeholders[name]
        spec = self.template["Parameters"][name]
        default = spec.get("Default", "")
        if spec["Type"] == "CommaDelimitedList":
            return [part.strip() for part in str(default).split(",")]
        return str(default)

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template["Conditions"][name]))

    def resolve(self, value: Any) -> Any:
        if not isinstance(value, dict) or len(value) != 1:
            return value
        [(key, arg)] = value.items()
        if key == "Ref":
            return None if arg == "AWS::NoValue" else self.param(arg)
        if key == "Fn::Join":
            return arg[0].join(self.resolve(arg[1]))
        if key == "Fn::Sub":
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(self.param(m.group(1))), arg)
        if key == "Fn::If":
            return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])
        if key == "Fn::Not":
            return not self.resolve(arg[0])
        if key == "Fn::Equals":
            return self.resolve(arg[0]) == self.resolve(arg[1])
        raise AssertionError(f"the test resolver does not know {key}: extend it")


def requirement_pins(path: Path) -> dict[str, str]:
    """{canonical name: version} of a requirements file; every line must be an exact pin."""
    pins: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([^;\s]+)\s*(;.*)?", line)
        assert match, f"{path}: {raw!r} is not pinned with =="
        name = re.sub(r"[-_.]+", "-", match.group(1).split("[")[0]).lower()
        assert name not in pins or pins[name] == match.group(2), f"{name} pinned twice in {path}"
        pins[name] = match.group(2)
    return pins


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_closure(names: set[str]) -> set[str]:
    """The distributions pip installs for ``names``: them and their dependencies, recursively."""
    seen: set[str] = set()
    todo = [canonical(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for raw in requires:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonical(req.name))
    return seen


def _module_file(name: str) -> Path | None:
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, package: str) -> list[str]:
    """Absolute names of every import in the module, lazy ones in functions included."""
    found: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking(node):
            continue
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            found.append(base)
            found.extend(f"{base}.{alias.name}" for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return found


def third_party_imports(entry: str) -> dict[str, set[str]]:
    """{top-level module: importing modules} over everything ``entry`` can reach in this repo."""
    third: dict[str, set[str]] = {}
    todo, seen = [entry], set()
    while todo:
        module = todo.pop()
        path = _module_file(module)
        if module in seen or path is None:
            continue
        seen.add(module)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        parents = module.split(".")
        todo.extend(".".join(parents[:i]) for i in range(1, len(parents)))
        for name in _imports(ast.parse(path.read_text()), package):
            top = name.split(".")[0]
            if top in {"cryptonic", "functions"}:
                todo.append(name)
            elif top and top != "__future__" and top not in sys.stdlib_module_names:
                third.setdefault(top, set()).add(module)
    return third


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    return instructions


def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Docker's .dockerignore rule: the last pattern matching the path or a parent of it wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = _dockerignore_regex(pattern.lstrip("!").strip("/"))
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not negate
    return excluded


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# --------------------------------------------------------------------------- functions


def test_five_image_functions_on_two_images(template):
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    assert set(functions(template)) == set(ALL_FUNCTIONS)
    for name, fn in functions(template).items():
        assert fn["Properties"]["PackageType"] == "Image", name
        assert fn["Metadata"]["DockerContext"] == ".", name


@pytest.mark.parametrize("name", ALL_FUNCTIONS)
def test_timeout_and_memory_within_lambda_limits(template, name):
    props = {**template.get("Globals", {}).get("Function", {})}
    props.update(template["Resources"][name]["Properties"])
    resolver = _Resolver(template, {})
    assert 1 <= props["Timeout"] <= MAX_TIMEOUT_S
    memory = int(resolver.resolve(props["MemorySize"]))
    assert MIN_MEMORY_MB <= memory <= NEW_ACCOUNT_MAX_MEMORY_MB, "a new account refuses more"


def test_retrain_memory_is_a_parameter_within_lambdas_range(template):
    props = template["Resources"]["RetrainFunction"]["Properties"]
    assert props["MemorySize"] == {"Ref": "RetrainMemorySize"}
    param = template["Parameters"]["RetrainMemorySize"]
    assert param["Default"] <= NEW_ACCOUNT_MAX_MEMORY_MB
    assert param["MinValue"] >= MIN_MEMORY_MB
    assert param["MaxValue"] <= MAX_MEMORY_MB


def test_predict_answers_before_the_http_api_gives_up(template):
    assert template["Resources"]["PredictFunction"]["Properties"]["Timeout"] < HTTP_API_TIMEOUT_S


@pytest.mark.parametrize("name", ["PredictFunction", "RetrainFunction"])
def test_image_is_built_from_its_dockerfile_and_requirements(template, name):
    short = function_short_name(name)
    dockerfile = ROOT / template["Resources"][name]["Metadata"]["Dockerfile"]
    requirements = ROOT / "functions" / short / "requirements.txt"
    assert dockerfile.is_file(), f"{name}: {dockerfile} is missing"
    assert requirements.is_file(), f"{name}: {requirements} is missing"

    instructions = dockerfile_instructions(dockerfile)
    # The AWS image unless a test build passes the stand-in (infra/local-base) explicitly.
    assert instructions[0] == ("ARG", "BASE_IMAGE=public.ecr.aws/lambda/python:3.12")
    assert instructions[1] == ("FROM", "${BASE_IMAGE}")
    assert "DockerBuildArgs" not in template["Resources"][name]["Metadata"]
    copies = [args.split()[0] for kind, args in instructions if kind == "COPY"]
    assert f"functions/{short}/requirements.txt" in copies
    assert f"functions/{short}/" in copies
    assert "cryptonic/" in copies
    others = {"predict": ["retrain", "refresh"], "retrain": ["predict"]}[short]
    for other in others:
        assert not any(src.startswith(f"functions/{other}") for src in copies), copies
    for src in copies:
        assert (ROOT / src).exists(), f"{dockerfile.name} copies {src}, which does not exist"

    [cmd] = [json.loads(args) for kind, args in instructions if kind == "CMD"]
    assert cmd == [f"functions.{short}.app.handler"]
    assert "ImageConfig" not in template["Resources"][name]["Properties"]  # the CMD as built


def test_the_refresh_runs_its_own_handler_on_the_retrain_image(template):
    refresh = template["Resources"]["RefreshFunction"]
    retrain = template["Resources"]["RetrainFunction"]
    assert refresh["Metadata"] == retrain["Metadata"]  # one image: same Dockerfile and context
    assert refresh["Properties"]["ImageConfig"] == {"Command": ["functions.refresh.app.handler"]}
    copies = [
        args.split()[0]
        for kind, args in dockerfile_instructions(ROOT / retrain["Metadata"]["Dockerfile"])
        if kind == "COPY"
    ]
    assert "functions/refresh/" in copies
    assert not (ROOT / "functions" / "refresh" / "requirements.txt").exists(), (
        "the refresh installs the retrain image's requirements; a file of its own would be ignored"
    )
    # No training: a fraction of the retrain's memory (the default), bounded well below Lambda's.
    assert refresh["Properties"]["MemorySize"] <= 1024
    # Pinned deployments refresh what they serve; the schedule never trains.
    refresh_env = env_vars(template, "RefreshFunction")
    assert refresh_env["MODEL_VERSION"] == env_vars(template, "PredictFunction")["MODEL_VERSION"]
    assert not {"EPOCHS", "RETRAIN_STRATEGY", "PROMOTION_MARGIN"} & set(refresh_env)


@pytest.mark.parametrize("name", ALL_FUNCTIONS)
def test_image_cmd_names_a_handler_that_exists(template, name):
    """The CMD module is there and defines `handler` (a def, or an assignment: Mangum(app), or
    one name of a tuple: ``app, handler = _start()``)."""
    app = ROOT / "functions" / function_short_name(name) / "app.py"
    assert app.is_file(), f"{app.relative_to(ROOT)} is missing (the image's CMD imports it)"
    tree = ast.parse(app.read_text())
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names = [e for t in targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
        defined.update(n.id for n in names if isinstance(n, ast.Name))
    assert "handler" in defined, f"{app.relative_to(ROOT)} defines no `handler`"


def test_the_dockerfiles_build_context_is_an_allow_list():
    patterns = dockerignore_patterns()
    kept = [
        "cryptonic/config.py",
        "cryptonic/data/BTC-USD.csv",
        "cryptonic/api/static/index.html",
        "functions/__init__.py",
        "functions/predict/app.py",
        "functions/predict/requirements.txt",
        "functions/retrain/requirements.txt",
    ]
    dropped = [
        ".venv/bin/python",
        ".venv-tools/bin/sam",
        ".git/HEAD",
        ".cryptonic/BTC-USD/champion.json",
        ".env",
        "tests/conftest.py",
        "bench/__main__.py",
        "artifacts/model.keras",
        ".aws-sam/build/template.yaml",
        "README.md",
        "docs/notes.md",
        "cryptonic/__pycache__/config.cpython-312.pyc",
        "functions/predict/__pycache__/app.cpython-312.pyc",
        "cryptonic/.mypy_cache/x.json",
        "template.yaml",
    ]
    assert [p for p in kept if dockerignore_excludes(patterns, p)] == []
    assert [p for p in dropped if not dockerignore_excludes(patterns, p)] == []
    for dockerfile in (ROOT / "infra").glob("*.Dockerfile"):
        for kind, args in dockerfile_instructions(dockerfile):
            if kind == "COPY":
                src = args.split()[0].rstrip("/")
                assert not dockerignore_excludes(patterns, src), f"{dockerfile.name}: {src}"


# --------------------------------------------------------------------------- configuration


def test_every_env_name_is_read_by_settings(template):
    known = settings_env_names()
    for name in functions(template):
        unknown = set(env_vars(template, name)) - known - set(NON_SETTINGS_ENV)
        assert not unknown, f"{name} sets {sorted(unknown)}, which cryptonic.config never reads"


def test_the_books_env_names_are_accepted(monkeypatch):
    assert set(BOOK_ENV) <= settings_env_names()
    monkeypatch.setenv("BITCOIN_START_DATE", "2016-01-04")
    monkeypatch.setenv("MODEL_NAME", "bitcoin_lstm_v0")
    settings = Settings()
    assert str(settings.start_date) == "2016-01-04"
    assert settings.model_version == "bitcoin_lstm_v0"


@pytest.mark.parametrize("name", ALL_FUNCTIONS)
def test_template_defaults_make_valid_settings(template, name, monkeypatch):
    """Every parameter at its default, the env each function gets must parse as Settings."""
    resolver = _Resolver(template, RESOURCE_REFS)
    for key in list(settings_env_names() | set(NON_SETTINGS_ENV)):
        monkeypatch.delenv(key, raising=False)
    resolved = {k: resolver.resolve(v) for k, v in env_vars(template, name).items()}
    for key, value in resolved.items():
        if value is not None:  # AWS::NoValue: the variable is not set at all
            monkeypatch.setenv(key, str(value))
    settings = Settings()
    assert settings.tickers == ["BTC-USD"]
    assert settings.store_uri == "s3://cryptonic-modelbucket-abc/models"
    assert settings.model_version is None
    assert settings.start_date is None
    assert "AWS_ENDPOINT_URL_S3" not in {k for k, v in resolved.items() if v is not None}
    # Serving and the refresh agree on when a forecast is stale and when the next one is due.
    assert (settings.refresh_hour_utc, settings.stale_after_hours) == (0, 48.0)
    if name == "RefreshFunction":
        assert (
            settings.refresh_max_missed_days,
            settings.shadow_challengers,
            settings.forecast_retention_days,
        ) == (3, 2, 365)


def test_parameters_mirror_the_settings_bounds(template):
    params = template["Parameters"]
    assert params["RetrainStrategy"]["AllowedValues"] == list(typing.get_args(Strategy))
    epochs = {type(m).__name__: m for m in Settings.model_fields["epochs"].metadata}
    assert params["Epochs"]["MinValue"] == epochs["Ge"].ge
    assert params["Epochs"]["MaxValue"] == epochs["Le"].le
    assert params["PeriodSize"]["AllowedValues"] == [Settings.model_fields["period_size"].default]


@pytest.mark.parametrize("parameter", sorted(REFRESH_PARAMETERS))
def test_refresh_parameters_map_to_their_settings_with_the_same_bounds(template, parameter):
    env_name, field_name = REFRESH_PARAMETERS[parameter]
    spec = template["Parameters"][parameter]
    field = Settings.model_fields[field_name]
    assert env_name in field.validation_alias.choices  # type: ignore[union-attr]
    assert spec["Default"] == field.default
    bounds = {type(m).__name__: m for m in field.metadata}
    if "Ge" in bounds:
        assert spec["MinValue"] == bounds["Ge"].ge
    else:
        assert spec["MinValue"] > bounds["Gt"].gt
    assert spec["MaxValue"] == bounds["Le"].le
    assert parameter in json.dumps(template["Metadata"]["AWS::CloudFormation::Interface"])
    # Set on every function that reads it, from the parameter (Globals for the two serving
    # needs too, the refresh's own for the rest).
    readers = (
        ALL_FUNCTIONS
        if env_name in {"REFRESH_HOUR_UTC", "STALE_AFTER_HOURS"}
        else ["RefreshFunction"]
    )
    for name in ALL_FUNCTIONS:
        env = env_vars(template, name)
        if name in readers:
            assert env[env_name] == {"Ref": parameter}, name
        elif name == "PredictFunction":
            assert env_name not in env, name


def test_store_uri_is_the_model_bucket(template):
    store = template["Globals"]["Function"]["Environment"]["Variables"]["STORE_URI"]
    assert store == {"Fn::Sub": "s3://${ModelBucket}/models"}


def test_env_json_only_sets_what_sam_local_will_pass(template, monkeypatch):
    """`sam local invoke --env-vars` silently drops names the template does not declare."""
    env = json.loads(ENV_JSON.read_text())
    assert set(env) <= set(functions(template)) | {"Parameters"}
    for name, values in env.items():
        declared = set(env_vars(template, name))
        assert set(values) <= declared, f"{name}: {sorted(set(values) - declared)} ignored by SAM"
        assert all(isinstance(v, str) for v in values.values()), f"{name}: values must be strings"
        for key in settings_env_names():
            monkeypatch.delenv(key, raising=False)
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        Settings()  # parses


def test_http_routes(template):
    events = template["Resources"]["PredictFunction"]["Properties"]["Events"]
    routes = {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events.values()}
    assert all(e["Type"] == "HttpApi" for e in events.values())
    assert routes == {
        ("GET", "/predict"),
        ("POST", "/predict"),
        ("GET", "/historic"),
        ("GET", "/status"),
        ("GET", "/models"),
        ("GET", "/track-record"),
        ("GET", "/tickers"),
        ("GET", "/health"),
        ("HEAD", "/health"),
        ("HEAD", "/"),
        ("HEAD", "/predict"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/"),
        ("GET", "/static/{proxy+}"),
    }
    # Every route the app serves has its API Gateway route (a new one cannot be forgotten).
    from cryptonic.api.app import create_app
    from cryptonic.config import Settings

    paths = create_app(Settings()).openapi()["paths"]
    served = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert ("GET", "/tickers") in served
    assert served <= routes, sorted(served - routes)


# --------------------------------------------------------------------------- permissions, safety


def _statement_actions(policy: dict[str, Any]) -> list[str]:
    actions: list[str] = []
    for statement in policy.get("Statement", []):
        value = statement.get("Action", [])
        actions.extend([value] if isinstance(value, str) else value)
    return actions


def test_serving_function_is_read_only(template):
    props = template["Resources"]["PredictFunction"]["Properties"]
    assert "Role" not in props, "a custom role hides the policies from this check"
    for policy in props["Policies"]:
        if isinstance(policy, str):
            pytest.fail(f"managed policy {policy} on PredictFunction: scope its own statements")
        assert not WRITE_POLICY_TEMPLATES & set(policy), policy
        # No SAM policy template either: S3ReadPolicy reads the whole bucket, run ledgers
        # included (tests/integration/infra/test_serving_guards.py checks the scope).
        assert set(policy) <= {"Statement", "Version"}, f"{sorted(policy)} on PredictFunction"
        for action in _statement_actions(policy):
            assert READ_ACTION.match(action), f"PredictFunction may {action}"


def test_retrain_writes_only_under_the_store_prefix(template):
    props = template["Resources"]["RetrainFunction"]["Properties"]
    store_prefix = env_vars(template, "RetrainFunction")["STORE_URI"]["Fn::Sub"]
    assert store_prefix == "s3://${ModelBucket}/models"
    for policy in props["Policies"]:
        assert isinstance(policy, dict)
        for statement in policy.get("Statement", []):
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            assert "*" not in resources
            for resource in resources:
                assert "ModelBucket" in json.dumps(resource), resource
            actions = statement["Action"]
            assert not any(a.startswith("s3:Delete") or a == "s3:*" for a in actions)
            object_actions = [a for a in actions if a in {"s3:PutObject", "s3:GetObject"}]
            if object_actions:
                assert resources == [{"Fn::Sub": "${ModelBucket.Arn}/models/*"}], statement


def test_refresh_writes_only_the_forecast_log(template):
    """It reads the models; it creates, moves and prunes forecasts; it can never write a model
    version, the champion pointer or the prices."""
    props = template["Resources"]["RefreshFunction"]["Properties"]
    assert "Role" not in props
    forecasts = {"Fn::Sub": "${ModelBucket.Arn}/models/forecasts/*"}
    ledger = {"Fn::Sub": "${ModelBucket.Arn}/models/runs/refresh/*"}
    writes: list[str] = []
    for policy in props["Policies"]:
        assert isinstance(policy, dict), policy
        if set(policy) == {"SNSPublishMessagePolicy"}:  # the run summary names failed tickers
            assert policy["SNSPublishMessagePolicy"] == {
                "TopicName": {"Fn::GetAtt": ["AlarmTopic", "TopicName"]}
            }
            continue
        assert set(policy) == {"Statement"}, policy
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            assert "*" not in resources
            for resource in resources:
                assert "ModelBucket" in json.dumps(resource), resource
            for action in statement["Action"]:
                if READ_ACTION.match(action):
                    continue
                assert action in {"s3:PutObject", "s3:DeleteObject"}, action
                if resources == [ledger]:
                    assert action == "s3:PutObject"
                    continue
                assert resources == [forecasts], statement
                writes.append(action)
    assert sorted(writes) == ["s3:DeleteObject", "s3:PutObject"]


def test_the_forecast_log_prefix_is_the_one_the_policies_name():
    from cryptonic.registry.keys import (
        FORECASTS_PREFIX,
        LATEST_NAME,
        SCORES_NAME,
        TRACK_RECORD_NAME,
        forecast_key,
        latest_key,
    )

    assert FORECASTS_PREFIX == "forecasts/"
    assert forecast_key("BTC-USD", dt.date(2026, 10, 5), "20261005T003000Z-1a2b3c4").count("/") == 3
    assert latest_key("BTC-USD") == f"forecasts/BTC-USD/{LATEST_NAME}"
    assert (SCORES_NAME, TRACK_RECORD_NAME) == ("scores.json", "track-record.json")


def test_retrain_concurrency_reservation_is_optional_and_off_by_default(template):
    """Accounts on the starting quota of 10 refuse any reservation; correctness never needed one
    (the pipeline test two_retrains_at_once_exactly_one_promotion_wins proves it)."""
    props = template["Resources"]["RetrainFunction"]["Properties"]
    reserved = props["ReservedConcurrentExecutions"]
    assert _Resolver(template, {}).resolve(reserved) is None  # AWS::NoValue at the default
    on = _Resolver(template, {"RetrainReservedConcurrency": "2"}).resolve(reserved)
    assert on == "2"


def test_retrain_failures_are_kept(template):
    resources = template["Resources"]
    props = resources["RetrainFunction"]["Properties"]
    dlq = {"Fn::GetAtt": ["RetrainDeadLetterQueue", "Arn"]}
    assert resources["RetrainDeadLetterQueue"]["Type"] == "AWS::SQS::Queue"
    assert not [e for e in props["Events"].values() if e["Type"] == "ScheduleV2"], (
        "the schedule starts the dispatch, never the retrain of every ticker in one invocation"
    )
    dispatch = resources["DispatchFunction"]["Properties"]
    for function in (props, dispatch):
        invoke = function["EventInvokeConfig"]
        assert invoke["DestinationConfig"]["OnFailure"] == {"Type": "SQS", "Destination": dlq}
        assert invoke["MaximumRetryAttempts"] >= 1

    schedule = dispatch["Events"]["WeeklyRetrain"]
    schedule_props = schedule["Properties"]
    assert schedule_props["DeadLetterConfig"] == {"Arn": dlq}
    assert schedule_props["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert schedule_props["ScheduleExpression"] == {"Ref": "ScheduleExpression"}
    assert schedule_props["ScheduleExpressionTimezone"] == {"Ref": "ScheduleTimezone"}

    invoke = props["EventInvokeConfig"]
    assert invoke["DestinationConfig"]["OnFailure"] == {"Type": "SQS", "Destination": dlq}
    # Lambda keeps a throttled async event for at most 6 h: enough to wait behind one other run.
    assert invoke["MaximumEventAgeInSeconds"] >= 2 * props["Timeout"]


def test_refresh_runs_daily_after_the_close_and_keeps_its_failures(template):
    from cryptonic.config import REFRESH_MINUTE

    resources = template["Resources"]
    props = resources["RefreshFunction"]["Properties"]
    dlq = {"Fn::GetAtt": ["RefreshDeadLetterQueue", "Arn"]}
    assert resources["RefreshDeadLetterQueue"]["Type"] == "AWS::SQS::Queue"
    assert not [e for e in props["Events"].values() if e["Type"] == "ScheduleV2"]
    schedule_props = resources["DispatchFunction"]["Properties"]["Events"]["DailyRefresh"][
        "Properties"
    ]
    assert schedule_props["ScheduleExpression"] == {
        "Fn::Sub": f"cron({REFRESH_MINUTE} ${{RefreshHourUtc}} * * ? *)"
    }
    assert schedule_props["ScheduleExpressionTimezone"] == "UTC"  # REFRESH_HOUR_UTC is UTC
    assert schedule_props["DeadLetterConfig"] == {"Arn": dlq}
    assert schedule_props["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    invoke = props["EventInvokeConfig"]
    assert invoke["DestinationConfig"]["OnFailure"] == {"Type": "SQS", "Destination": dlq}
    assert invoke["MaximumRetryAttempts"] >= 1
    assert invoke["MaximumEventAgeInSeconds"] >= 2 * props["Timeout"]
    assert props["LoggingConfig"]["LogGroup"] == {"Ref": "RefreshLogGroup"}
    log_group = resources["RefreshLogGroup"]["Properties"]
    assert log_group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${AWS::StackName}-refresh"}
    assert log_group["RetentionInDays"] > 0


def test_refresh_schedule_payload_is_the_shipped_event_and_means_all_tickers(template):
    from cryptonic.jobs.refresh.request import parse_refresh_event

    schedule = template["Resources"]["DispatchFunction"]["Properties"]["Events"]["DailyRefresh"]
    filled = json.loads(re.sub(r"<aws\.scheduler\.[a-z-]+>", "x", schedule["Properties"]["Input"]))
    shipped = json.loads((ROOT / "infra" / "events" / "refresh-scheduled.json").read_text())
    assert set(filled) == set(shipped)
    assert {k: filled[k] for k in ("detail-type", "source", "detail")} == {
        k: shipped[k] for k in ("detail-type", "source", "detail")
    }
    from cryptonic.jobs.dispatch import job_of

    for event in (filled, shipped):
        assert parse_refresh_event(event).tickers is None
        assert job_of(event) == "refresh"


def test_schedule_payload_means_all_tickers_to_the_handler(template):
    """The Scheduler Input, placeholders filled in as Scheduler does, parses as a scheduled run."""
    from cryptonic.jobs.dispatch import job_of
    from cryptonic.jobs.retrain.request import parse_retrain_event

    schedule = template["Resources"]["DispatchFunction"]["Properties"]["Events"]["WeeklyRetrain"]
    filled = re.sub(r"<aws\.scheduler\.[a-z-]+>", "x", schedule["Properties"]["Input"])
    assert job_of(json.loads(filled)) == "retrain"
    request = parse_retrain_event(json.loads(filled))
    assert request.scheduled
    assert request.tickers is None


def test_model_bucket_is_private_encrypted_versioned_and_kept(template):
    resources = template["Resources"]
    bucket = resources["ModelBucket"]
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(props["PublicAccessBlockConfiguration"][k] is True for k in (
        "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"
    ))  # fmt: skip
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    lifecycle = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert any("NoncurrentVersionExpiration" in r for r in lifecycle.values())

    [policy] = [r for r in resources.values() if r["Type"] == "AWS::S3::BucketPolicy"]
    assert policy["Properties"]["Bucket"] == {"Ref": "ModelBucket"}
    [tls] = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") in ("false", False)
    ]
    assert (tls["Effect"], tls["Principal"], tls["Action"]) == ("Deny", "*", "s3:*")
    assert {json.dumps(r) for r in tls["Resource"]} == {
        json.dumps({"Fn::GetAtt": ["ModelBucket", "Arn"]}),
        json.dumps({"Fn::Sub": "${ModelBucket.Arn}/*"}),
    }


def _bucket_policy_statements(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [policy] = [r for r in template["Resources"].values() if r["Type"] == "AWS::S3::BucketPolicy"]
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def test_bucket_policy_makes_versions_create_only_and_the_pointer_compare_and_swap(template):
    statements = _bucket_policy_statements(template)
    versions = statements["DenyOverwritingVersions"]
    assert (versions["Effect"], versions["Principal"], versions["Action"]) == (
        "Deny",
        "*",
        "s3:PutObject",
    )
    assert versions["Resource"] == {"Fn::Sub": "${ModelBucket.Arn}/models/*/versions/*"}
    assert versions["Condition"] == {"Null": {"s3:if-none-match": "true"}}
    champion = statements["DenyBlindChampionWrites"]
    assert (champion["Effect"], champion["Action"]) == ("Deny", "s3:PutObject")
    assert champion["Resource"] == {"Fn::Sub": "${ModelBucket.Arn}/models/*/champion.json"}
    # Both keys in one Null block: denied only when neither If-Match nor If-None-Match is sent.
    assert champion["Condition"] == {"Null": {"s3:if-match": "true", "s3:if-none-match": "true"}}


def test_bucket_policy_makes_forecasts_create_only_and_their_pointers_compare_and_swap(template):
    statements = _bucket_policy_statements(template)
    dated = statements["DenyOverwritingForecasts"]
    assert (dated["Effect"], dated["Principal"], dated["Action"]) == ("Deny", "*", "s3:PutObject")
    # forecasts/<ticker>/<as_of>/<version>.json: three levels, so never the per-ticker pointers.
    assert dated["Resource"] == {"Fn::Sub": "${ModelBucket.Arn}/models/forecasts/*/*/*"}
    assert dated["Condition"] == {"Null": {"s3:if-none-match": "true"}}
    pointers = statements["DenyBlindForecastPointerWrites"]
    assert (pointers["Effect"], pointers["Principal"], pointers["Action"]) == (
        "Deny",
        "*",
        "s3:PutObject",
    )
    assert pointers["Resource"] == [
        {"Fn::Sub": f"${{ModelBucket.Arn}}/models/forecasts/*/{name}"}
        for name in ("latest.json", "scores.json", "track-record.json", "calibration.json")
    ]
    assert pointers["Condition"] == {"Null": {"s3:if-match": "true", "s3:if-none-match": "true"}}


@pytest.mark.parametrize("name", ALL_FUNCTIONS)
def test_functions_log_json_and_fetch_prices_from_yahoo_then_the_exchanges(template, name):
    props = template["Resources"][name]["Properties"]
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    env = env_vars(template, name)
    assert "DATA_SOURCE" not in env  # one setting names the chain
    chain = source_chain(env["DATA_SOURCES"])
    assert chain[0] == "yahoo"
    assert set(chain[1:]) <= set(PRICE_EXCHANGES)
    assert "bundled" not in chain
    assert "auto" not in chain


def _alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: r["Properties"]
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }


def test_alarms_page_through_one_topic_with_an_optional_email(template):
    resources = template["Resources"]
    assert resources["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    subscription = resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""
    watched = {
        (a["Namespace"], a["MetricName"], json.dumps(a["Dimensions"][0]["Value"]))
        for a in _alarms(template).values()
    }
    assert watched == {
        ("AWS/Lambda", "Errors", json.dumps({"Ref": "RetrainFunction"})),
        ("AWS/Lambda", "Errors", json.dumps({"Ref": "PredictFunction"})),
        ("AWS/Lambda", "Throttles", json.dumps({"Ref": "PredictFunction"})),
        (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            json.dumps({"Fn::GetAtt": ["RetrainDeadLetterQueue", "QueueName"]}),
        ),
        ("AWS/Lambda", "Errors", json.dumps({"Ref": "RefreshFunction"})),
        (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            json.dumps({"Fn::GetAtt": ["RefreshDeadLetterQueue", "QueueName"]}),
        ),
        ("cryptonic", "StaleForecasts", json.dumps({"Ref": "RefreshFunction"})),
        ("AWS/Lambda", "Invocations", json.dumps({"Ref": "RefreshFunction"})),
        ("AWS/Lambda", "Errors", json.dumps({"Ref": "DispatchFunction"})),
        ("cryptonic", "TickersFailed", json.dumps({"Ref": "RetrainFunction"})),
        ("cryptonic", "TickersFailed", json.dumps({"Ref": "RefreshFunction"})),
        ("cryptonic", "TickersLost", json.dumps({"Ref": "RetrainFunction"})),
        ("cryptonic", "TickersLost", json.dumps({"Ref": "RefreshFunction"})),
        ("cryptonic", "TickerListUnusable", json.dumps({"Ref": "DispatchFunction"})),
        ("AWS/Lambda", "Errors", json.dumps({"Ref": "SweepFunction"})),
    }
    for name, alarm in _alarms(template).items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        if name == "RefreshSilentAlarm":
            continue  # an alarm on something missing (its own test)
        if name == "ForecastStaleAlarm":  # watches for a silent day too (its own test)
            assert alarm["TreatMissingData"] == "breaching"
            continue
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (
            1,
            "GreaterThanOrEqualToThreshold",
        ), name
        assert alarm["TreatMissingData"] == "notBreaching", name  # no data = nothing failed
    assert template["Outputs"]["AlarmTopicArn"]["Value"] == {"Ref": "AlarmTopic"}


def test_the_stale_alarm_watches_the_metric_the_refresh_emits(template, monkeypatch, capsys):
    """Namespace, metric name and dimensions exactly as the refresh's EMF line declares them; in
    Lambda the FunctionName dimension is the function's name, which ``!Ref`` of it is."""
    from cryptonic.jobs.aws.cloudwatch import put_metrics
    from cryptonic.jobs.refresh.outcomes import STALE_METRIC

    alarm = _alarms(template)["ForecastStaleAlarm"]
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "stack-RefreshFunction-abc")
    put_metrics({STALE_METRIC: 1, "TickersFailed": 0})
    line = json.loads(capsys.readouterr().out)
    [declared] = line["_aws"]["CloudWatchMetrics"]
    assert alarm["Namespace"] == declared["Namespace"]
    assert alarm["MetricName"] in {m["Name"] for m in declared["Metrics"]}
    assert [[d["Name"] for d in alarm["Dimensions"]]] == declared["Dimensions"]
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "RefreshFunction"}}]
    assert line["FunctionName"] == "stack-RefreshFunction-abc"
    # A data point per refresh invocation, alarming from one stale ticker; a one-day period
    # holds the alarm until a refresh reports none (an hour's period would clear it an hour
    # later). A day without any data point is a day no refresh said so: breaching.
    assert (alarm["Statistic"], alarm["Threshold"], alarm["TreatMissingData"]) == (
        "Maximum",
        1,
        "breaching",
    )
    assert (alarm["Period"], alarm["EvaluationPeriods"]) == (86400, 1)
    assert {"StaleAfterHours", "StaleForecasts"} <= set(re.findall(r"\w+", json.dumps(alarm)))


def _emitted_by_each_function(monkeypatch, capsys) -> dict[str, list[dict[str, Any]]]:
    """The EMF lines of each job function, by the resource its alarms ``!Ref``, as the jobs emit
    them: a finished run's report of every outcome (the invocation, the consumer and the sweeper
    all report through it) and a dispatch that found tickers.json unusable."""
    from cryptonic.jobs.aws.cloudwatch import put_metrics
    from cryptonic.jobs.dispatch import Dispatch, dispatch_metrics
    from cryptonic.jobs.job_outcomes import METRICS_OF
    from cryptonic.jobs.runs.report import report_run
    from cryptonic.jobs.runs.summary import summarize

    emitted: dict[str, list[dict[str, Any]]] = {}
    for job, function in (("retrain", "RetrainFunction"), ("refresh", "RefreshFunction")):
        metrics = METRICS_OF[job]
        results = [
            {"ticker": f"T{i}", "outcome": o, "error": None, "served": {"stale": True}}
            for i, o in enumerate(metrics.outcomes)
        ]
        plan = {"run_id": "r", "created": "2026-12-01T06:00:00+00:00", "tickers": ["T"]}
        summary = summarize(job, plan, results, list(metrics.outcomes), dt.datetime.now(dt.UTC))
        report_run(summary, metrics, None, function_name=RESOURCE_REFS[function])
        emitted[function] = _emf_lines(capsys.readouterr().out)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", DISPATCH_NAME)
    unusable = Dispatch("retrain", "r", ["BTC-USD"], ["BTC-USD"], {}, "tickers.json: not JSON")
    put_metrics(dispatch_metrics(unusable))
    emitted["DispatchFunction"] = _emf_lines(capsys.readouterr().out)
    return emitted


def _emf_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


DISPATCH_NAME = "cryptonic-DispatchFunction-abc"


def test_every_alarm_on_our_namespace_reads_a_metric_a_job_emits(template, monkeypatch, capsys):
    """Namespace, metric name and dimension exactly as the jobs' Powertools EMF lines declare
    them, under the function whose name the alarm's dimension is (``!Ref`` of it)."""
    emitted = _emitted_by_each_function(monkeypatch, capsys)
    names = {**RESOURCE_REFS, "DispatchFunction": DISPATCH_NAME}
    checked = []
    for name, alarm in _alarms(template).items():
        if alarm["Namespace"].startswith("AWS/"):
            continue  # AWS's own metrics (Lambda, SQS)
        [dimension] = alarm["Dimensions"]
        function = dimension["Value"]["Ref"]
        declared = [
            (d["Namespace"], d["Dimensions"], {m["Name"] for m in d["Metrics"]}, line)
            for line in emitted[function]
            for d in line["_aws"]["CloudWatchMetrics"]
        ]
        assert any(
            namespace == alarm["Namespace"]
            and dimensions == [[dimension["Name"]]]
            and alarm["MetricName"] in metrics
            and line[dimension["Name"]] == names[function]
            for namespace, dimensions, metrics, line in declared
        ), f"{name}: no {function} line declares {alarm['MetricName']}: {declared}"
        checked.append(name)
    assert sorted(checked) == [
        "ForecastStaleAlarm",
        "RefreshTickersFailedAlarm",
        "RefreshTickersLostAlarm",
        "RetrainTickersFailedAlarm",
        "RetrainTickersLostAlarm",
        "TickerListUnusableAlarm",
    ]


def test_refresh_failures_and_a_silent_schedule_page(template):
    alarms = _alarms(template)
    failed = alarms["RefreshFailedAlarm"]
    assert (failed["Namespace"], failed["MetricName"]) == ("AWS/Lambda", "Errors")
    silent = alarms["RefreshSilentAlarm"]
    assert (silent["Namespace"], silent["MetricName"], silent["Statistic"]) == (
        "AWS/Lambda",
        "Invocations",
        "Sum",
    )
    # Fewer than one invocation per day for two days; no data at all is the case it exists for.
    assert (silent["Period"], silent["EvaluationPeriods"], silent["DatapointsToAlarm"]) == (
        86400,
        2,
        2,
    )
    assert (silent["Threshold"], silent["ComparisonOperator"]) == (1, "LessThanThreshold")
    assert silent["TreatMissingData"] == "breaching"


def test_no_test_stand_in_reaches_a_deploy():
    """infra/local-base is for machines without a registry; a deploy builds on the AWS image."""
    for path in (TEMPLATE, ROOT / "samconfig.toml", *(ROOT / "infra").glob("*.Dockerfile")):
        text = path.read_text()
        for marker in ("local-base", "standin", "stand-in", "cryptonic-local/"):
            lines = [
                ln for ln in text.splitlines() if marker in ln and not ln.lstrip().startswith("#")
            ]
            assert not lines, f"{path.name} names the test stand-in: {lines}"


def test_outputs(template):
    outputs = template["Outputs"]
    assert outputs["ApiUrl"]["Value"] == {
        "Fn::Sub": "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"
    }
    assert {"ModelBucketName", "PredictFunctionName", "RetrainFunctionName"} <= set(outputs)
    assert {"RefreshFunctionName", "RetrainDeadLetterQueueUrl", "RefreshDeadLetterQueueUrl"} <= set(
        outputs
    )


# --------------------------------------------------------------------------- requirements


def test_serving_requirements_have_no_training_stack():
    pins = requirement_pins(ROOT / "functions" / "predict" / "requirements.txt")
    assert not SERVING_FORBIDDEN & set(pins), sorted(SERVING_FORBIDDEN & set(pins))
    assert "ai-edge-litert" in pins


def test_training_requirements_have_no_serving_stack():
    pins = requirement_pins(ROOT / "functions" / "retrain" / "requirements.txt")
    assert not TRAINING_FORBIDDEN & set(pins), sorted(TRAINING_FORBIDDEN & set(pins))
    expected = {"tensorflow-cpu", "keras", "ai-edge-litert", "numpy", "pandas", "yfinance", "ccxt"}
    assert expected | {"botocore", "pydantic", "pydantic-settings"} <= set(pins)
    # The jobs' Lambda plumbing: Powertools (Logger, Metrics, the SQS batch) and boto3 clients.
    assert {"aws-lambda-powertools", "boto3"} <= set(pins)


def test_serving_requirements_keep_powertools_and_boto3_off_the_cold_start():
    """The predict image keeps its stdlib S3 reader and its own JSON logging (cryptonic.logs)."""
    pins = requirement_pins(ROOT / "functions" / "predict" / "requirements.txt")
    assert not {"aws-lambda-powertools", "boto3"} & set(pins)


@pytest.mark.parametrize("function", sorted(IMAGE_OF))
def test_image_installs_everything_its_handler_can_import(function):
    """Lazy imports included: a module imported inside a function fails only when that code runs."""
    pins = requirement_pins(ROOT / "functions" / IMAGE_OF[function] / "requirements.txt")
    closure = installed_closure(set(pins))
    providers = metadata.packages_distributions()
    missing = {
        module: sorted(importers)
        for module, importers in third_party_imports(f"functions.{function}.app").items()
        if not {canonical(d) for d in providers.get(module, [])} & closure
    }
    assert not missing, (
        f"the {function} image does not install what these modules import "
        f"(add the package to functions/{IMAGE_OF[function]}/requirements.txt, or keep it off "
        "that path): "
        f"{missing}"
    )


@pytest.mark.parametrize("function", ["predict", "retrain"])
def test_function_pins_equal_the_project_pins(function):
    root_pins = requirement_pins(ROOT / "requirements.txt")
    pins = requirement_pins(ROOT / "functions" / function / "requirements.txt")
    unknown = set(pins) - set(root_pins)
    assert not unknown, f"functions/{function}: {sorted(unknown)} not in requirements.txt"
    drift = {name: (v, root_pins[name]) for name, v in pins.items() if v != root_pins[name]}
    assert not drift, f"functions/{function} pins differ from requirements.txt: {drift}"


# --------------------------------------------------------------------------- the weekly fan-out


def test_the_dispatch_runs_its_own_handler_on_the_retrain_image(template):
    dispatch = template["Resources"]["DispatchFunction"]
    retrain = template["Resources"]["RetrainFunction"]
    assert dispatch["Metadata"] == retrain["Metadata"]
    assert dispatch["Properties"]["ImageConfig"] == {"Command": ["functions.dispatch.app.handler"]}
    copies = [
        args.split()[0]
        for kind, args in dockerfile_instructions(ROOT / retrain["Metadata"]["Dockerfile"])
        if kind == "COPY"
    ]
    assert "functions/dispatch/" in copies
    assert dispatch["Properties"]["MemorySize"] <= 1024  # no TensorFlow, no pandas
    env = env_vars(template, "DispatchFunction")
    assert env["RETRAIN_QUEUE_URL"] == {"Ref": "RetrainQueue"}


def test_each_ticker_is_its_own_retrain_invocation_with_bounded_concurrency(template):
    resources = template["Resources"]
    props = resources["RetrainFunction"]["Properties"]
    [jobs] = [e["Properties"] for e in props["Events"].values() if e["Type"] == "SQS"]
    assert jobs["Queue"] == {"Fn::GetAtt": ["RetrainQueue", "Arn"]}
    assert jobs["BatchSize"] == 1
    assert jobs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert jobs["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "RetrainConcurrency"}}
    concurrency = template["Parameters"]["RetrainConcurrency"]
    assert concurrency["MinValue"] == 2  # SQS's least MaximumConcurrency
    assert concurrency["MaxValue"] <= 1000
    # New accounts have 10 concurrent executions in all; serving needs some of them.
    assert concurrency["Default"] <= 5


def test_the_retrain_queue_retries_then_dead_letters_each_ticker(template):
    resources = template["Resources"]
    queue = resources["RetrainQueue"]["Properties"]
    timeout = resources["RetrainFunction"]["Properties"]["Timeout"]
    # Lambda's advice for SQS sources: at least 6x the function timeout, so a slow ticker's message
    # does not reappear while it still runs.
    assert queue["VisibilityTimeout"] >= 6 * timeout
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["RetrainDeadLetterQueue", "Arn"]},
        "maxReceiveCount": MIN_MAX_RECEIVE_COUNT,
    }
    dlq = resources["RetrainDeadLetterQueue"]["Properties"]
    assert dlq["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]
    # The consumer knows which delivery is the last and how long a claim holds: the queue's
    # numbers reach it. The real attempts are the parameter's, counted by the ticker's claim.
    env = env_vars(template, "RetrainFunction")
    assert env["RETRAIN_MAX_RECEIVES"] == str(queue["RedrivePolicy"]["maxReceiveCount"])
    assert env["RETRAIN_VISIBILITY_TIMEOUT"] == str(queue["VisibilityTimeout"])
    assert env["RETRAIN_MAX_ATTEMPTS"] == {"Ref": "RetrainAttempts"}
    attempts = template["Parameters"]["RetrainAttempts"]
    field = {type(m).__name__: m for m in Settings.model_fields["retrain_max_attempts"].metadata}
    assert attempts["Default"] == Settings.model_fields["retrain_max_attempts"].default
    assert (attempts["MinValue"], attempts["MaxValue"]) == (field["Ge"].ge, field["Le"].le)
    assert attempts["MinValue"] == 1  # one real attempt is allowed; throttles never spend it
    # and no more attempts than deliveries: a sixth attempt would never be delivered
    assert attempts["MaxValue"] <= queue["RedrivePolicy"]["maxReceiveCount"]
    # The sweeper closes a run once no job of it can still arrive: after the queue's retention.
    sweeper = env_vars(template, "SweepFunction")
    assert float(sweeper["RETRAIN_RUN_HOURS"]) * 3600 == queue["MessageRetentionPeriod"]


def test_a_run_with_failed_tickers_pages_and_names_them(template):
    resources = template["Resources"]
    alarm = resources["RetrainTickersFailedAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("cryptonic", "TickersFailed")
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "RetrainFunction"}}]
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    from cryptonic.jobs.retrain.outcomes import OUTCOME_METRICS

    assert OUTCOME_METRICS["failed"] == alarm["MetricName"]
    env = env_vars(template, "RetrainFunction")
    assert env["ALARM_TOPIC_ARN"] == {"Ref": "AlarmTopic"}
    policies = resources["RetrainFunction"]["Properties"]["Policies"]
    assert {
        "SNSPublishMessagePolicy": {"TopicName": {"Fn::GetAtt": ["AlarmTopic", "TopicName"]}}
    } in (policies)
    dispatch = resources["DispatchFailedAlarm"]["Properties"]
    assert dispatch["Dimensions"] == [
        {"Name": "FunctionName", "Value": {"Ref": "DispatchFunction"}}
    ]


def test_the_dispatch_only_reads_the_ticker_list_and_writes_the_run_ledger(template):
    from cryptonic.jobs.runs.ledger import RUNS_PREFIX
    from cryptonic.jobs.ticker_list import TICKERS_FILE

    policies = template["Resources"]["DispatchFunction"]["Properties"]["Policies"]
    assert {
        "SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["RetrainQueue", "QueueName"]}}
    } in (policies)
    writes = []
    for policy in policies:
        for statement in policy.get("Statement", []):
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            for action in statement["Action"]:
                if action == "s3:PutObject":
                    writes.extend(resources)
                if action == "s3:GetObject":
                    assert resources[0]["Fn::Sub"] in {
                        f"${{ModelBucket.Arn}}/models/{TICKERS_FILE}",
                        f"${{ModelBucket.Arn}}/models/{RUNS_PREFIX.split('/')[0]}/*",
                    }
    assert writes == [{"Fn::Sub": "${ModelBucket.Arn}/models/runs/*"}]
    rules = template["Resources"]["ModelBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    [expiry] = [r for r in rules if r.get("Prefix") == "models/runs/"]
    assert expiry["ExpirationInDays"] >= 30


def test_each_day_every_ticker_is_its_own_refresh_job(template):
    resources = template["Resources"]
    props = resources["RefreshFunction"]["Properties"]
    [jobs] = [e["Properties"] for e in props["Events"].values() if e["Type"] == "SQS"]
    assert jobs["Queue"] == {"Fn::GetAtt": ["RefreshQueue", "Arn"]}
    assert jobs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 2 <= jobs["ScalingConfig"]["MaximumConcurrency"] <= 5
    # A batch fits the timeout even if every ticker waits out every source's whole deadline.
    from cryptonic.data.sources import chain_budget

    chain = env_vars(template, "RefreshFunction")["DATA_SOURCES"]
    worst = max(chain_budget(chain, ticker) for ticker in ("BTC-USD", "AAPL"))
    assert worst >= 60.0
    assert jobs["BatchSize"] * worst <= props["Timeout"]
    queue = resources["RefreshQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * props["Timeout"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["RefreshDeadLetterQueue", "Arn"]
    }
    env = env_vars(template, "RefreshFunction")
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= MIN_MAX_RECEIVE_COUNT
    assert env["REFRESH_MAX_RECEIVES"] == str(queue["RedrivePolicy"]["maxReceiveCount"])
    assert env["REFRESH_VISIBILITY_TIMEOUT"] == str(queue["VisibilityTimeout"])
    assert int(env["REFRESH_MAX_ATTEMPTS"]) < queue["RedrivePolicy"]["maxReceiveCount"]
    assert env["ALARM_TOPIC_ARN"] == {"Ref": "AlarmTopic"}
    sweeper = env_vars(template, "SweepFunction")
    assert float(sweeper["REFRESH_RUN_HOURS"]) * 3600 == queue["MessageRetentionPeriod"]
    dispatch_env = env_vars(template, "DispatchFunction")
    assert dispatch_env["REFRESH_QUEUE_URL"] == {"Ref": "RefreshQueue"}


# --------------------------------------------------------------------------- every run ends


def test_the_sweeper_runs_hourly_on_the_retrain_image_with_its_own_handler(template):
    sweeper = template["Resources"]["SweepFunction"]
    retrain = template["Resources"]["RetrainFunction"]
    assert sweeper["Metadata"] == retrain["Metadata"]
    assert sweeper["Properties"]["ImageConfig"] == {"Command": ["functions.sweep.app.handler"]}
    copies = [
        args.split()[0]
        for kind, args in dockerfile_instructions(ROOT / retrain["Metadata"]["Dockerfile"])
        if kind == "COPY"
    ]
    assert "functions/sweep/" in copies
    assert sweeper["Properties"]["MemorySize"] <= 1024  # no TensorFlow, no pandas
    [schedule] = [e["Properties"] for e in sweeper["Properties"]["Events"].values()]
    assert schedule["ScheduleExpression"] == "rate(1 hour)"
    # A closed run is reported where the job's alarms look, and named to the alarm topic.
    env = env_vars(template, "SweepFunction")
    assert env["RETRAIN_FUNCTION_NAME"] == {"Ref": "RetrainFunction"}
    assert env["REFRESH_FUNCTION_NAME"] == {"Ref": "RefreshFunction"}
    assert env["ALARM_TOPIC_ARN"] == {"Ref": "AlarmTopic"}


def test_the_sweeper_deletes_only_under_versions(template):
    """Orphaned versions go; nothing else can: not a pointer, a forecast or a run ledger."""
    deletes, writes = [], []
    for policy in template["Resources"]["SweepFunction"]["Properties"]["Policies"]:
        for statement in policy.get("Statement", []):
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            for action in statement["Action"]:
                if action.startswith("s3:Delete"):
                    deletes.extend(resources)
                if action == "s3:PutObject":
                    writes.extend(resources)
    assert deletes == [{"Fn::Sub": "${ModelBucket.Arn}/models/*/versions/*"}]
    assert writes == [{"Fn::Sub": "${ModelBucket.Arn}/models/runs/*"}]


@pytest.mark.parametrize(
    "value",
    ["BTC-USD", "btc-usd", "^GSPC", "EURUSD=X", "600519.SS", " ETH-USD", "BTC_USD", "", "-X"],
)
def test_the_tickers_parameter_takes_each_symbol_the_settings_take(template, value):
    """A typo in Tickers fails the deploy rather than every function's start (the settings are
    read at import: /health would fail with them)."""
    pattern = template["Parameters"]["Tickers"]["AllowedPattern"]
    try:
        Settings(tickers=value)
        taken = True
    except ValueError:
        taken = False
    assert bool(re.match(pattern, value)) is taken, value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "20261123T192000Z-1a2b3c4",
        "BTC-USD=20261123T192000Z-1a2b3c4,EURUSD=X=20261123T192000Z-7a2b3c4",
        "BTC-USD=20261123T192000Z-1a2b3c4 ETH-USD=20261124T192000Z-2a2b3c4",
        "latest",
        "BTC-USD=v1",
        "BTC-USD=20261123T192000Z-1A2B3C4",
        "BTC_USD=20261123T192000Z-1a2b3c4",
    ],
)
def test_the_model_version_parameter_takes_each_pin_that_can_serve(template, value):
    """What the settings read (a typo there fails every function's start) and whose versions
    are version ids (another would answer 503 for its ticker until redeployed)."""
    pattern = template["Parameters"]["ModelVersion"]["AllowedPattern"]
    try:
        pins = VersionPins.read(Settings(model_version=value or None).model_version)
        versions = [*pins.by_ticker.values(), *([pins.bare] if pins.bare else [])]
        taken = all(VERSION_PATTERN.match(v) for v in versions)
    except ValueError:
        taken = False
    assert bool(re.match(pattern, value)) is taken, value
