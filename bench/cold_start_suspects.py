"""Where our cold start goes above the FastAPI + Mangum floor: an interleaved A/B of suspects.

Each arm is a fresh interpreter answering one ``GET /predict`` through Mangum (the shipped
event) from the same moto S3 server; the arms take turns, run after run, so a noisy neighbour
hits them alike. Arms:

* ``floor``: FastAPI + Mangum and one trivial route (bench/serving.py's FLOOR);
* ``ours``: the predict handler as shipped;
* ``gc_on``: ours with the garbage collector left on during the import (the handler pauses it,
  then freezes what survives): what that pause saves;
* ``sequential_reads``: ours with the warm-up's store reads made one after another (seven round
  trips) instead of side by side (three): what the parallel reads save on loopback, where a
  round trip costs a few milliseconds (tens on S3);
* ``no_forecast_log``: ours, with the forecast log's pointer reported absent, so the warm-up
  reads no ``latest.json`` and no dated forecast and serves the version's own forecast;
* ``declared_models``: ours as before the response models left the init path
  (:mod:`cryptonic.api.resource_router`): every route declares its models, and cryptonic's
  pydantic models are built when defined, not on first use;
* ``no_ledger_models``: ours with ``cryptonic.registry.track_record`` (the refresh's score ledger
  and the track record's models) replaced by a stub of the names the routes import: what those
  models cost a cold start whose first request never reads them;
* ``warm_after_imports``: ours with FastAPI imported before the warm-up's thread starts, as
  before :mod:`cryptonic.api.cold_start`: what reading while FastAPI imports saves;
* ``lean_bound``: a what-if, not shipped (:data:`LEAN_BOUND`): the floor plus settings and the
  served forecast's three reads as plain JSON, no cryptonic model: a lower bound of a lean path;
* ``floor_gc_paused``: the floor with its import under the collector's pause, as ours;
* ``interface_floor``: a what-if, not shipped (:data:`INTERFACE_FLOOR`): the floor (collector
  paused) plus the settings object and our 13 routes' signatures answering a constant: what any
  implementation of our interface pays before doing anything of its own;
* ``instrumented``: ours in its steps, one after another (the floor's imports, ours,
  ``create_app()``, ``warm()``, the first request; no overlap), counting and timing what
  cryptonic's pydantic models, FastAPI's type adapters, ``Settings()``, the store calls and the
  forecast log's reads cost inside them (its own total is not compared: the counting costs
  time);
* ``python -X importtime`` of ours and of the floor: what we import that the floor does not,
  by package and by module (self times; importtime's own overhead inflates them alike);
* the floor, ours, ``sequential_reads`` and ``warm_after_imports`` again on an S3 that answers
  in 30 ms (the loopback proxy of bench/s3_proxy.py), where the warm-up's round trips cost what
  they cost on S3.

The serving code is not changed: every arm patches only its own process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections import defaultdict
from typing import Any

from bench.common import PY, ROOT, median, rotated
from bench.serving import EVENTS, FLOOR, OURS

_STARTED = "t0 = time.perf_counter()\n"
_IMPORTED = "from functions.predict.app import handler\n"


_PAUSED = "import gc\ngc.disable()\n"
"""What the handler does first; an arm does it before its patch, so that the patch's own imports
(which the handler would have made with the collector paused) are not slowed by the collector."""


def _arm(patch: str, after_import: str = "", *, paused: bool = True) -> str:
    """Ours with ``patch`` run first inside the timed region (a patch's own imports are part of
    the cold start it changes), after pausing the collector as the handler does (``paused``),
    and ``after_import`` right after the handler's import."""
    assert OURS.count(_STARTED) == 1
    assert OURS.count(_IMPORTED) == 1
    first = (_PAUSED if paused else "") + patch.strip() + "\n"
    code = OURS.replace(_STARTED, _STARTED + first)
    return code.replace(_IMPORTED, _IMPORTED + after_import)


NO_FORECAST_LOG = _arm(
    """
import cryptonic.registry.forecast_log as forecast_log
forecast_log.ForecastLog.latest = lambda self, ticker: (None, None)
forecast_log.ForecastLog.latest_etag = lambda self, ticker: None
"""
)

DECLARED_MODELS = _arm(
    """
import importlib.abc, importlib.util, sys
from pydantic._internal import _model_construction as construction
_new = construction.ModelMetaclass.__new__
def _built(mcs, name, bases, namespace, *args, **kwargs):
    if str(namespace.get("__module__", "")).startswith("cryptonic."):
        namespace["model_config"] = {**(namespace.get("model_config") or {}), "defer_build": False}
    return _new(mcs, name, bases, namespace, *args, **kwargs)
construction.ModelMetaclass.__new__ = _built
class _Declared(importlib.abc.MetaPathFinder):
    # Patches the router once it is imported, so that the arm imports no FastAPI early.
    def find_spec(self, name, path, target=None):
        if name != "cryptonic.api.resource_router":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
            init = module.ResourceRouter.__init__
            def declared(self, *, documented, **kwargs):
                init(self, documented=True, **kwargs)
            module.ResourceRouter.__init__ = declared
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, _Declared())
"""
)
"""Ours as it was before: every route declares its response models (a FastAPI serializer built
per model and route) and cryptonic's pydantic models are built when defined."""

WARM_AFTER_IMPORTS = _arm("import fastapi, mangum")
"""Ours with FastAPI and Mangum imported first, as before: the warm-up's thread then starts after
them, and its reads no longer wait while FastAPI is imported."""

GC_ON = _arm("import gc\ngc.disable = lambda: None", paused=False)
"""Ours with the handler's pause of the garbage collector undone (its ``gc.disable()`` a no-op)."""

SEQUENTIAL_READS = _arm(
    """
import cryptonic.api.state.parallel_reads as parallel_reads
import cryptonic.api.state.versions as versions
def _one_after_another(calls):
    return [call() for call in calls]
parallel_reads.in_parallel = versions.in_parallel = _one_after_another
"""
)

NO_LEDGER_MODELS = _arm(
    """
import sys, types
_stub = types.ModuleType("cryptonic.registry.track_record")
_stub.SHOWN_FORECASTS, _stub.CHART_FORECASTS = 100, 8
_stub.LiveScores = _stub.TrackRecord = type("Stub", (), {})
sys.modules["cryptonic.registry.track_record"] = _stub
"""
)

_ANSWER_ONE = r"""
handler = Mangum(app, lifespan="off")
gc.freeze()
gc.enable()
t1 = time.perf_counter()
response = handler(json.load(open(sys.argv[1])), None)
t2 = time.perf_counter()
body = json.loads(response["body"])
print(json.dumps({"init": t1 - t0, "first": t2 - t1, "total": t2 - t0,
                  "status": response["statusCode"], "points": len(body.get("result", []))}))
"""
"""The end of a what-if arm that built ``app`` with the collector paused: wrap it in Mangum,
freeze what survives, answer the shipped ``GET /predict`` event, print the times."""

LEAN_BOUND = (
    r"""
import time
t0 = time.perf_counter()
import gc
gc.disable()
import json, sys, threading
from cryptonic.config import get_settings
from cryptonic.registry import keys
from cryptonic.store.uri import open_store
settings = get_settings()
store = open_store(settings.store_uri, read_only=True)
ticker, got = settings.tickers[0], {}
def fetch(*names):
    def one(k):
        got[k] = store.get_with_etag(k)
    threads = [threading.Thread(target=one, args=(k,)) for k in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
def warm():
    p, l = keys.champion_key(ticker), keys.latest_key(ticker)
    fetch(p, l)
    version = json.loads(got[p][0])["version"]
    entry = json.loads(got[l][0])["versions"][version]
    import datetime as dt
    k = keys.forecast_key(ticker, dt.date.fromisoformat(entry["as_of"]), version)
    fetch(k)
    got["body"] = json.dumps(json.loads(got[k][0])).encode()
w = threading.Thread(target=warm, daemon=True)
w.start()
from fastapi import FastAPI
from mangum import Mangum
from starlette.responses import Response
app = FastAPI()
@app.get("/predict")
def predict() -> Response:
    return Response(got["body"], media_type="application/json")
w.join(2)
"""
    + _ANSWER_ONE
)
"""A what-if, not shipped: the floor plus what a lean ``GET /predict`` cold path could not do
without (pydantic-settings' ``Settings``, our S3 reader, the champion pointer, ``latest.json`` and
the logged forecast read as plain JSON while FastAPI imports) and none of the rest (no manifest,
no integrity check, no cryptonic pydantic model, one route). A lower bound of such a design, to
weigh it against the goal of 1.10x the floor."""


FLOOR_GC_PAUSED = FLOOR.replace(_STARTED, _STARTED + _PAUSED, 1).replace(
    'handler = Mangum(app, lifespan="off")\n',
    'handler = Mangum(app, lifespan="off")\ngc.freeze()\ngc.enable()\n',
    1,
)
"""The floor with its import under the collector's pause, as ours has it: the floor that a
handler pausing the collector is measured against when the pause itself is not the question."""

INTERFACE_FLOOR = (
    r"""
import time
t0 = time.perf_counter()
import gc
gc.disable()
import datetime as dt
import json, sys
from typing import Annotated
from fastapi import FastAPI, Query, Request
from mangum import Mangum
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import Response
from cryptonic.api.params import TickerQuery, cursor_query, limit_query
from cryptonic.config import get_settings
from cryptonic.registry.keys import VERSION_PATTERN

settings = get_settings()
app = FastAPI()
Close = Annotated[float, Field(gt=0, allow_inf_nan=False)]
IsoDate = Annotated[dt.date | None, Query(description="YYYY-MM-DD")]
Cursor = Annotated[str | None, cursor_query("after", examples=["x"], max_length=40)]
Version = Annotated[
    str | None, cursor_query("after", examples=["x"], pattern=VERSION_PATTERN.pattern)
]

class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticker: str | None = Field(default=None, description="symbol", examples=["BTC-USD"])
    closes: list[Close] = Field(min_length=1, max_length=5000, description="closes")
    last_date: dt.date | None = Field(default=None, description="date of the last close")
    @field_validator("last_date")
    @classmethod
    def _check_range(cls, value):
        return value

def ok() -> Response:
    return Response(b'{"success": true}', media_type="application/json")

@app.get("/predict")
async def get_predict(request: Request, ticker: TickerQuery = None) -> Response:
    return ok()
@app.post("/predict")
def post_predict(body: PredictRequest) -> Response:
    return ok()
@app.get("/historic")
async def get_historic(ticker: TickerQuery = None, start: IsoDate = None,
                       end: IsoDate = None) -> Response:
    return ok()
@app.get("/status")
async def get_status(ticker: TickerQuery = None) -> Response:
    return ok()
@app.get("/track-record")
def get_track_record(ticker: TickerQuery = None,
                     limit: Annotated[int, limit_query(100, "n")] = 20) -> Response:
    return ok()
@app.get("/models")
def get_models(ticker: TickerQuery = None, limit: Annotated[int, limit_query(100, "n")] = 20,
               cursor: Version = None) -> Response:
    return ok()
@app.get("/tickers")
def get_tickers(limit: Annotated[int, limit_query(200, "n")] = 100,
                cursor: Cursor = None) -> Response:
    return ok()
@app.get("/health")
async def get_health() -> Response:
    return ok()
@app.get("/")
async def index(request: Request) -> Response:
    return ok()
@app.get("/static/page-{version}/{name}")
async def released(version: str, name: str, request: Request) -> Response:
    return ok()
@app.get("/static/{name}")
async def static(name: str, request: Request) -> Response:
    return ok()
@app.get("/docs")
async def docs(request: Request) -> Response:
    return ok()
@app.get("/docs-assets/{name}")
async def asset(name: str) -> Response:
    return ok()
"""
    + _ANSWER_ONE
)
"""A what-if, not shipped: what any implementation of our interface pays before it does any
work of its own. The floor (its collector paused, as ours) plus the settings object the house
rules ask for (``cryptonic.config``: pydantic-settings) and our 13 routes' signatures (their
query parameters, the POST body's model, the page's and the docs' paths), each answering a
constant: no store, no state, no cryptonic model. What ours costs above it is our own code."""


GC_COUNTED = r"""
import atexit, gc, json, sys, time
_gc = {"runs": 0, "seconds": 0.0, "full_runs": 0, "full_seconds": 0.0}
def _count(phase, info):
    if phase == "start":
        _count.t = time.perf_counter()
        return
    took = time.perf_counter() - _count.t
    _gc["runs"] += 1
    _gc["seconds"] += took
    if info["generation"] == 2:
        _gc["full_runs"] += 1
        _gc["full_seconds"] += took
gc.callbacks.append(_count)
atexit.register(lambda: print("@@gc " + json.dumps(_gc), file=sys.stderr))
"""
"""Prefix of a script: counts the garbage collector's runs and time until the process exits."""

INSTRUMENTED = r"""
import functools, gc, json, sys, time
t0 = time.perf_counter()
gc.disable()  # as the handler does, until the warm-up is done
import fastapi, mangum  # the floor's imports first, as the handler's own order has them
t1 = time.perf_counter()
import threading
spent, local = {}, threading.local()
lock = threading.Lock()

def timed(name, func):
    # Time the outermost call only: a wrapped call inside another of its name (in the same
    # thread) is not counted. Calls made side by side in threads are each counted, and their
    # times overlap: their sum can exceed the step that made them.
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        depth = local.__dict__.setdefault("depth", {})
        depth[name] = depth.get(name, 0) + 1
        t = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            depth[name] -= 1
            if depth[name] == 0:
                with lock:
                    count, total = spent.get(name, (0, 0.0))
                    spent[name] = (count + 1, total + time.perf_counter() - t)
    return wrapper

from pydantic._internal import _model_construction as construction
from pydantic import type_adapter
_new = construction.ModelMetaclass.__new__
_ours = timed("models: cryptonic", _new)
_others = timed("models: others", _new)
def _counted(mcs, name, bases, namespace, *args, **kwargs):
    mine = str(namespace.get("__module__", "")).startswith("cryptonic.")
    return (_ours if mine else _others)(mcs, name, bases, namespace, *args, **kwargs)
construction.ModelMetaclass.__new__ = _counted
type_adapter.TypeAdapter.__init__ = timed("type adapters", type_adapter.TypeAdapter.__init__)
import cryptonic.config
cryptonic.config.Settings.__init__ = timed("Settings()", cryptonic.config.Settings.__init__)
from cryptonic.store import s3, s3_reader
for cls in (s3.S3Store, s3_reader.S3ReadOnlyStore):
    for method in ("get_bytes", "get_with_etag", "head", "list"):
        setattr(cls, method, timed("store calls", getattr(cls, method)))
from cryptonic.registry import forecast_log
for method in ("latest", "latest_etag", "load"):
    wrapped = timed("forecast log reads", getattr(forecast_log.ForecastLog, method))
    setattr(forecast_log.ForecastLog, method, wrapped)
t2 = time.perf_counter()
from mangum import Mangum
from cryptonic.api import create_app, warm
from cryptonic.logs import configure_lambda_logging
t3 = time.perf_counter()
configure_lambda_logging()
app = create_app()
t4 = time.perf_counter()
warm(app)
handler = Mangum(app, lifespan="off")
gc.freeze()
gc.enable()
t5 = time.perf_counter()
response = handler(json.load(open(sys.argv[1])), None)
t6 = time.perf_counter()
steps = {"floor_imports": t1 - t0, "instrumenting": t2 - t1, "our_imports": t3 - t2,
         "create_app": t4 - t3, "warm": t5 - t4, "first_request": t6 - t5}
print(json.dumps({"status": response["statusCode"], "steps": steps,
                  "spent": {k: list(v) for k, v in spent.items()}}))
"""

HANDLER_MODULE = "functions.predict.app"
"""Its import time is its body's: settings, store, ``create_app()`` and ``warm()``, not imports."""
IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$")


def _run(code: str, env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    event = str(EVENTS / "predict-http-get.json")
    done = subprocess.run(
        [PY, *flags, "-c", code, event], capture_output=True, text=True, env=env, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"cold-start arm failed: {done.stderr[-2000:]}")
    return done


def _timed(code: str, env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    result: dict[str, Any] = json.loads(_run(code, env).stdout.strip().splitlines()[-1])
    result["process_wall"] = time.perf_counter() - started
    if result["status"] != 200:
        raise RuntimeError(f"a cold-start arm answered {result['status']}")
    return result


IMPORTED_FIRST = """import encodings.idna
import cryptonic.api.cold_start as _cold_start
class _Inline:
    def __init__(self, target, name, daemon):
        self.target = target
    def start(self):
        self.target()
    def join(self, timeout=None):
        pass
_cold_start.threading = type("threading", (), {"Thread": _Inline})
"""
"""Run before ours under ``-X importtime``: importtime's counters are per process, not per
thread, so a module imported while another thread runs has that thread's time in its self
time. So the warm-up runs inline here (before FastAPI's import, not beside it), and
``encodings.idna`` (which the S3 reader's first connections import lazily, from the warm-up's
read threads) is imported first."""


def import_self_times(code: str, env: dict[str, str]) -> dict[str, float]:
    """Seconds each module's own import took (``-X importtime``'s self column)."""
    times: dict[str, float] = {}
    for line in _run(code, env, "-X", "importtime").stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            times[match.group(4)] = int(match.group(1)) / 1e6
    return times


def gc_spent(code: str, env: dict[str, str]) -> dict[str, float]:
    """The garbage collector's runs and seconds in one fresh process of ``code``."""
    for line in _run(GC_COUNTED + code, env).stderr.splitlines():
        if line.startswith("@@gc "):
            counted: dict[str, float] = json.loads(line[len("@@gc ") :])
            return counted
    raise RuntimeError("the garbage collector's count was not printed")


def _beyond_floor(ours: list[dict[str, float]], floor: list[dict[str, float]]) -> dict[str, Any]:
    """Modules we import and the floor does not: median self time, by package and by module."""
    theirs = set().union(*floor)
    extra = sorted(set().union(*ours) - theirs - {HANDLER_MODULE})
    by_module = {m: median([run.get(m, 0.0) for run in ours]) for m in extra}
    by_package: dict[str, float] = defaultdict(float)
    for module, seconds in by_module.items():
        top = module.split(".")[0]
        by_package[top if top != "cryptonic" else ".".join(module.split(".")[:2])] += seconds
    top_modules = sorted(by_module.items(), key=lambda kv: -kv[1])[:15]
    return {
        "modules": len(extra),
        "seconds": sum(by_module.values()),
        "by_package": dict(sorted(by_package.items(), key=lambda kv: -kv[1])),
        "top_modules": dict(top_modules),
        "handler_body_s": median([run.get(HANDLER_MODULE, 0.0) for run in ours]),
        "ours_total_s": median([sum(run.values()) for run in ours]),
        "floor_total_s": median([sum(run.values()) for run in floor]),
    }


ARMS = {
    "floor": FLOOR,
    "ours": OURS,
    "gc_on": GC_ON,
    "sequential_reads": SEQUENTIAL_READS,
    "no_forecast_log": NO_FORECAST_LOG,
    "declared_models": DECLARED_MODELS,
    "no_ledger_models": NO_LEDGER_MODELS,
    "warm_after_imports": WARM_AFTER_IMPORTS,
    "lean_bound": LEAN_BOUND,
    "floor_gc_paused": FLOOR_GC_PAUSED,
    "interface_floor": INTERFACE_FLOOR,
}


SLOW_S3_DELAY_S = 0.030
SLOW_ARMS = ("floor", "ours", "sequential_reads", "warm_after_imports")
"""The arms run again on an S3 that answers in 30 ms (bench/s3_proxy.py), where a round trip
costs what it costs on S3 and not a few milliseconds: what reading side by side saves there."""


def _medians(rows: list[dict[str, Any]]) -> dict[str, float]:
    return {k: median([r[k] for r in rows]) for k in ("init", "first", "total", "process_wall")}


def _paired(timed: dict[str, list[dict[str, Any]]]) -> dict[str, float]:
    """Each arm's total over the floor's of the same round, the median over rounds: a slow
    stretch of the machine hits both sides of a ratio, not one arm's median."""
    floor = [row["total"] for row in timed["floor"]]
    return {
        name: median([row["total"] / base for row, base in zip(rows, floor, strict=True)])
        for name, rows in timed.items()
    }


def on_slow_s3(env: dict[str, str], runs: int) -> dict[str, Any]:
    """:data:`SLOW_ARMS` interleaved, ``runs`` rounds, through the 30 ms proxy; medians."""
    from bench.s3_proxy import SlowS3Proxy

    timed: dict[str, list[dict[str, Any]]] = {name: [] for name in SLOW_ARMS}
    with SlowS3Proxy(env["AWS_ENDPOINT_URL_S3"], SLOW_S3_DELAY_S) as proxy:
        slow = {**env, "AWS_ENDPOINT_URL_S3": proxy.url}
        for round_index in range(runs):
            for name in rotated(SLOW_ARMS, round_index):
                timed[name].append(_timed(ARMS[name], slow))
    return {
        "delay_ms": SLOW_S3_DELAY_S * 1000,
        "runs": runs,
        "arms": {name: _medians(rows) for name, rows in timed.items()},
        "paired_vs_floor": _paired(timed),
    }


def run(s3_env: dict[str, str], store_uri: str, runs: int = 10) -> dict[str, Any]:
    """``runs`` rounds of every arm, interleaved; medians, and each arm against ours."""
    env = {**os.environ, **s3_env, "STORE_URI": store_uri, "TF_CPP_MIN_LOG_LEVEL": "3"}
    timed: dict[str, list[dict[str, Any]]] = {name: [] for name in ARMS}
    instrumented: list[dict[str, Any]] = []
    imports: dict[str, list[dict[str, float]]] = {"ours": [], "floor": []}
    collections: dict[str, list[dict[str, float]]] = {"ours": [], "floor": []}
    for round_index in range(runs):
        for name in rotated(list(ARMS), round_index):
            timed[name].append(_timed(ARMS[name], env))
        instrumented.append(_timed(INSTRUMENTED, env))
        for name, code in (("ours", OURS), ("floor", FLOOR)):
            first = IMPORTED_FIRST if name == "ours" else ""
            imports[name].append(import_self_times(first + code, env))
            collections[name].append(gc_spent(code, env))
    arms = {name: _medians(rows) for name, rows in timed.items()}
    ours = arms["ours"]["total"]
    steps = {k: median([r["steps"][k] for r in instrumented]) for k in instrumented[0]["steps"]}
    spent = {
        name: {
            "calls": median([r["spent"].get(name, [0, 0.0])[0] for r in instrumented]),
            "seconds": median([r["spent"].get(name, [0, 0.0])[1] for r in instrumented]),
        }
        for name in sorted({n for r in instrumented for n in r["spent"]})
    }
    return {
        "runs": runs,
        "arms": arms,
        "saved_vs_ours_s": {name: ours - arm["total"] for name, arm in arms.items()},
        "paired_vs_floor": _paired(timed),
        "instrumented_steps": steps,
        "instrumented_spent": spent,
        "imports_beyond_floor": _beyond_floor(imports["ours"], imports["floor"]),
        "garbage_collector": {
            name: {k: median([r[k] for r in rows]) for k in rows[0]}
            for name, rows in collections.items()
        },
        "slow_s3": on_slow_s3(env, runs),
    }
