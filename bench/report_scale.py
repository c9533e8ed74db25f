"""BENCHMARKS.md's sections of serving at scale (bench/serving_scale.py) and of the cold start's
suspects (bench/cold_start_suspects.py): every figure next to its goal, met or missed."""

from __future__ import annotations

from typing import Any

from bench.serving_scale import WAIT_S

PAGE_KINDS = ("page", "page_static")


def _ok(passed: bool) -> str:
    return "met" if passed else "**missed**"


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.0f} ms"


def _time(step: dict[str, Any]) -> str:
    if step.get("timed_out"):
        return f"no answer in {WAIT_S:.0f} s (killed)"
    if "skipped" in step:
        return f"not run ({step['skipped']})"
    seconds = step.get("seconds")
    return "-" if seconds is None else f"{seconds:.3f} s"


def _s3(summary: dict[str, Any], cut_short: bool = False) -> str:
    """The cell of a step's S3 requests; ``cut_short``: the process was killed mid-request."""
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary["kinds"].items()))
    whole = summary["whole_store_lists"]
    extra = f"; {whole} of them pages of a whole-store listing" if whole else ""
    moto = f"; moto's own time {summary['moto_s']:.2f} s" if summary["moto_s"] >= 0.05 else ""
    detail = f" ({kinds}{extra}{moto})" if kinds else ""
    return f"{'at least ' if cut_short else ''}{summary['requests']}{detail}"


def _rows(mode: dict[str, Any]) -> list[str]:
    """One row per request; each path's cold start and a page load's static files summed."""
    rows: list[str] = []
    steps = mode["steps"]
    for path in dict.fromkeys(s["path"] for s in steps):
        mine = [s for s in steps if s["path"] == path]
        statics = [s for s in mine if s["kind"] == "page_static"]
        for step in mine:
            if step["kind"] == "page_static":
                if step is statics[0]:
                    rows.append(_statics_row(path, statics))
                continue
            status = step.get("status") or "-"
            rows.append(
                f"| {path} | {step['label']} | {status} | "
                f"{_s3(step['s3'], bool(step.get('timed_out')))} | {_time(step)} | "
                f"{step['goal']} | {_ok(step['met'])} |"
            )
    return rows


def _statics_row(path: str, statics: list[dict[str, Any]]) -> str:
    statuses = sorted({str(s.get("status")) for s in statics})
    requests = sum(s["s3"]["requests"] for s in statics)
    seconds = sum(s.get("seconds") or 0.0 for s in statics)
    return (
        f"| {path} | page: its {len(statics)} static files | {', '.join(statuses)} | "
        f"{requests} | {seconds:.3f} s in all | {statics[0]['goal']} each | "
        f"{_ok(all(s['met'] for s in statics))} |"
    )


def _worst(mode: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    requests = [s for s in mode["steps"] if s["kind"] != "cold_start" and "skipped" not in s]
    most = max(requests, key=lambda s: s["s3"]["requests"], default=None)
    slowest = max(
        requests,
        key=lambda s: float("inf") if s.get("seconds") is None else s["seconds"],
        default=None,
    )
    return most, slowest


def scale_goal_rows(r: dict[str, Any]) -> list[str]:
    """Rows of the "Against the goals" table."""
    if "serving_scale" not in r:
        return []
    s = r["serving_scale"]
    if "error" in s:
        return [f"| serving at scale | **failed**: {s['error']} | | |"]
    n, slow, dead = f"{s['tickers']:,}", s["slow_s3"], s["dead_s3"]
    cold = slow["cold_start"]
    most, slowest = _worst(slow)
    [unknown] = [x for x in slow["steps"] if "(unknown)" in x["label"]]
    page = slow["page_load"]
    page_time = (
        f"{page['seconds']:.2f} s"
        if page["answered"]
        else f"a request did not answer in {WAIT_S:.0f} s"
    )
    rows = [
        f"| serving {n} tickers, S3 at {s['delay_ms']:.0f} ms a request: cold start incl. its "
        f"S3 reads (median of {cold['processes']} fresh processes) | {_ms(cold['median_s'])}, "
        f"{'/'.join(map(str, cold['s3_requests']))} S3 requests | {cold['goal']} | "
        f"{_ok(cold['met'])} |",
    ]
    if most is not None and slowest is not None:
        rows += [
            f"| ... most S3 requests of one request | "
            f"{'at least ' if most.get('timed_out') else ''}{most['s3']['requests']} "
            f"({most['label']}) | <= 60 | {_ok(most['s3']['requests'] <= 60)} |",
            f"| ... slowest request | {_time(slowest)} ({slowest['label']}) | <= 1 s | "
            f"{_ok(slowest.get('seconds') is not None and slowest['seconds'] <= 1.0)} |",
        ]
    rows += [
        f"| ... unknown ticker (GET /predict?ticker=NOPE-USD) | {unknown['s3']['requests']} S3 "
        f"requests, {_time(unknown)} | <= 2 requests | {_ok(unknown['met'])} |",
        f"| ... page load: {page['requests']} requests one after another | "
        f"{page['s3_requests']} S3 requests, {page_time} | each request as above | "
        f"{_ok(all(x['met'] for x in slow['steps'] if x['kind'] in PAGE_KINDS))} |",
    ]
    answers = [x for x in dead["steps"] if x["kind"] != "cold_start"]
    _, dead_slowest = _worst(dead)
    [health] = [x for x in dead["steps"] if x["label"] == "GET /health"]
    if dead_slowest is not None:
        rows.append(
            f"| S3 never answering: slowest answer of {len(answers)} requests | "
            f"{_time(dead_slowest)} ({dead_slowest['label']}) | 200 or 503 within 3 s | "
            f"{_ok(all(x['met'] for x in answers if x['label'] != 'GET /health'))} |"
        )
    rows.append(
        f"| S3 never answering: GET /health | {_time(health)} | <= 50 ms | {_ok(health['met'])} |"
    )
    return rows


def serving_scale_section(r: dict[str, Any]) -> list[str]:
    if "serving_scale" not in r or "error" in r["serving_scale"]:
        return []
    s = r["serving_scale"]
    header = [
        "| path (fresh process) | request | status | S3 requests | time in the handler | goal | |",
        "|---|---|---|---|---|---|---|",
    ]
    lines = [
        f"## Serving {s['tickers']:,} tickers on a slow S3, then on a dead one",
        "",
        f"{s['tickers']:,} tickers on moto's S3 server ({s['objects']:,} objects, "
        f"{s['objects_per_ticker']} a ticker: a published version of the fixtures' tiny model, "
        "its champion pointer and price snapshot, 30 days of forecast log with its pointer, "
        "score ledger and track record), reached through a loopback proxy that adds "
        f"{s['delay_ms']:.0f} ms to every request and counts them. Each request path from its "
        "own fresh process (the predict handler through Mangum, `TICKERS` = the first ticker, "
        "each invocation with a Lambda context counting down 10 s), so no path is paid for by "
        f"an earlier one. Store built in {s['build_seconds']:.0f} s; the part took "
        f"{s['seconds']:.0f} s. The S3 column counts the requests and moto's own share of "
        "their time: moto lists in O(keys) a page, so a path that lists the whole store is "
        "slower here than on S3 (tens of milliseconds a page); its request count is the figure "
        "that carries over.",
        "",
        f"### S3 answering in {s['delay_ms']:.0f} ms",
        "",
        *header,
        *_rows(s["slow_s3"]),
        "",
        "### S3 accepting requests and never answering",
        "",
        *header,
        *_rows(s["dead_s3"]),
        "",
    ]
    return lines


ARM_LABELS = {
    "floor": "floor: FastAPI + Mangum, one trivial route",
    "ours": "ours, as shipped",
    "gc_on": "ours, the garbage collector left on during the import (the pause undone)",
    "sequential_reads": "ours, the warm-up's 7 store reads one after another (not 3 rounds)",
    "no_forecast_log": "ours, no forecast-log read at warm-up (serves the version's forecast)",
    "declared_models": "ours, the routes' response models declared and built at import (as before)",
    "no_ledger_models": "ours, `registry.track_record` (ledger and track-record models) stubbed",
    "warm_after_imports": "ours, the warm-up started after FastAPI's import (as before)",
    "lean_bound": "what-if, not shipped: the floor + settings + the served forecast's 3 reads "
    "as plain JSON (no manifest, no cryptonic model): a lean path's lower bound",
    "floor_gc_paused": "floor, its import under the collector's pause (as ours)",
    "interface_floor": "what-if, not shipped: the floor (collector paused) + settings + our 13 "
    "routes' signatures answering a constant: what our interface costs before our code runs",
    "gc_paused": "ours, the garbage collector off during the import, then `gc.freeze()`",
}
"""``gc_paused`` is the arm of results from before the handler paused the collector itself."""


def _arms_table(x: dict[str, Any]) -> list[str]:
    lines = [
        f"{x['runs']} fresh processes of each arm, interleaved, each answering one "
        "`GET /predict` through Mangum from moto's S3 (no added latency); medians.",
        "",
        "| arm | init | first request | total | against ours | against the floor, paired |",
        "|---|---|---|---|---|---|",
    ]
    paired = x.get("paired_vs_floor", {})
    for name, arm in x["arms"].items():
        delta = x["saved_vs_ours_s"][name]
        against = "" if name == "ours" else f"{-delta * 1000:+,.0f} ms"
        ratio = f"{paired[name]:.2f}x" if name in paired else ""
        lines.append(
            f"| {ARM_LABELS.get(name, name)} | {_ms(arm['init'])} | {_ms(arm['first'])} | "
            f"{_ms(arm['total'])} | {against} | {ratio} |"
        )
    if paired:
        lines += [
            "",
            "Each round runs every arm once, in an order that turns by one arm a round; the "
            "paired ratio is the median over rounds of an arm's total over the floor's of the "
            "same round.",
        ]
    return lines


def _budget(x: dict[str, Any]) -> list[str]:
    """What the goal of 1.10x the floor leaves our own code, beside what it spends: ours against
    the interface floor (the same interface answering a constant), in paired ratios."""
    paired = x.get("paired_vs_floor", {})
    if "interface_floor" not in paired:
        return []
    floor = x["arms"]["floor"]["total"]
    ours, interface, lean = (paired[k] for k in ("ours", "interface_floor", "lean_bound"))
    return [
        f"Paired against the floor ({_ms(floor)}): ours {ours:.2f}x, the interface floor "
        f"{interface:.2f}x, the lean path's lower bound {lean:.2f}x. Our own code (the store, "
        "the registry, the serving state, the warm-up, the routes' bodies) costs about "
        f"{_ms((ours - interface) * floor)} above the interface floor; 1.10x the floor would "
        f"leave it about {_ms((1.10 - interface) * floor)}.",
        "",
    ]


def _inside_ours(x: dict[str, Any]) -> str:
    """The instrumented arm's steps and what was spent within them."""
    steps, spent = x["instrumented_steps"], x["instrumented_spent"]

    def used(name: str) -> str:
        item = spent.get(name, {"calls": 0, "seconds": 0.0})
        return f"{item['calls']:.0f} for {_ms(item['seconds'])}"

    return (
        "Inside ours, its steps one after another (an instrumented arm: the warm-up does not "
        "overlap FastAPI's import here, and the counting is timed apart): the floor's imports "
        f"{_ms(steps['floor_imports'])}, ours on top {_ms(steps['our_imports'])}, "
        f"`create_app()` {_ms(steps['create_app'])}, `warm()` {_ms(steps['warm'])}, the first "
        f"request {_ms(steps['first_request'])}. Within those: store calls {used('store calls')}"
        f" (the forecast log's reads {used('forecast log reads')}, parsing included; reads made "
        "side by side overlap, so their times add up to more than the warm-up's); "
        f"cryptonic's pydantic models defined {used('models: cryptonic')} (most are built on "
        f"first use, later), other models "
        f"{used('models: others')}, FastAPI's type adapters {used('type adapters')}; "
        f"`Settings()` {used('Settings()')}."
    )


def _imports(imports: dict[str, Any]) -> str:
    packages = ", ".join(
        f"`{k}` {_ms(v)}" for k, v in list(imports["by_package"].items())[:8] if v >= 0.001
    )
    modules = ", ".join(f"`{k}` {_ms(v)}" for k, v in list(imports["top_modules"].items())[:8])
    return (
        f"`python -X importtime`: we import {imports['modules']} modules the floor does not, "
        f"{_ms(imports['seconds'])} of self time (all imports: ours {_ms(imports['ours_total_s'])}"
        f", the floor's {_ms(imports['floor_total_s'])}; importtime slows both). By package: "
        f"{packages}. The slowest modules: {modules}. The handler module's own body "
        f"(settings, store, `create_app()`, `warm()`) {_ms(imports['handler_body_s'])}."
    )


def _collector(collector: dict[str, Any]) -> str:
    ours, floor = collector["ours"], collector["floor"]
    return (
        f"The garbage collector (a callback counting its runs): ours {ours['runs']:.0f} runs "
        f"for {_ms(ours['seconds'])}, {ours['full_runs']:.0f} of them over everything for "
        f"{_ms(ours['full_seconds'])}; the floor {floor['runs']:.0f} runs for "
        f"{_ms(floor['seconds'])} ({floor['full_runs']:.0f} full, "
        f"{_ms(floor['full_seconds'])})."
    )


def cold_start_suspects_section(r: dict[str, Any]) -> list[str]:
    serving = r.get("serving", {})
    if "suspects" not in serving:
        return []
    x = serving["suspects"]
    lines = [
        "## The cold start above the floor: where it goes",
        "",
        *_arms_table(x),
        "",
        *_budget(x),
        _inside_ours(x),
        "",
        _imports(x["imports_beyond_floor"]),
        "",
    ]
    if x.get("garbage_collector"):
        lines += [_collector(x["garbage_collector"]), ""]
    if x.get("slow_s3"):
        lines += [_on_slow_s3(x["slow_s3"]), ""]
    return lines


def _on_slow_s3(slow: dict[str, Any]) -> str:
    arms = slow["arms"]
    floor, ours, one_by_one = (arms[k]["total"] for k in ("floor", "ours", "sequential_reads"))
    paired = slow.get("paired_vs_floor") or {k: arm["total"] / floor for k, arm in arms.items()}
    after = arms.get("warm_after_imports", {}).get("total")
    overlap = (
        ""
        if after is None
        else f"; with the warm-up started after FastAPI's import (as before) {_ms(after)} "
        f"({paired['warm_after_imports']:.2f}x): reading while FastAPI imports saves "
        f"{_ms(after - ours)} there"
    )
    return (
        f"On an S3 that answers in {slow['delay_ms']:.0f} ms (the loopback proxy of the part "
        f"below; {slow['runs']} runs of each, interleaved): the floor {_ms(floor)}, ours "
        f"{_ms(ours)} ({paired['ours']:.2f}x), ours with the warm-up's reads one after another "
        f"{_ms(one_by_one)} ({paired['sequential_reads']:.2f}x): the three rounds of reads save "
        f"{_ms(one_by_one - ours)} there{overlap}."
    )
