"""Figures quoted from the benchmark reports, at build time, each with the command that measured
it and when: a section of BENCHMARKS.md (``make bench`` rewrites it and bench/results.json) or of
bench/TUNING.md (a ``cryptonic tune`` run), never a number copied by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from docs.tools import REPO, DocsError

__all__ = ["SECTIONS", "include_section", "last_run", "render_benchmark", "render_tuning"]

BENCHMARKS = REPO / "BENCHMARKS.md"
RESULTS = REPO / "bench" / "results.json"
TUNING = REPO / "bench" / "TUNING.md"

SECTIONS: dict[str, tuple[str, str | None]] = {
    "goals": ("Against the goals", None),
    "cold_start": ("The cold start above the floor", "serving"),
    "retrain": ("Retrain end to end", "retrain"),
    "many_tickers": ("Many tickers in one process", "many_tickers"),
    "serving_scale": ("Serving 1,000 tickers", "serving_scale"),
    "images": ("Lambda images", "images"),
    "quality": ("Forecast quality", "quality"),
    "scaling": ("Scaling: per-ticker costs", "scaling"),
}
"""A marker's argument -> (the start of its BENCHMARKS.md heading, the ``bench`` part that
writes it; None: several parts)."""

LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)")


def _unlink(text: str, folder: str) -> str:
    """Relative links of a repository file, which mean nothing on the site, as plain text with
    the path they named (``bench/tuning-check.json``); web links stay."""

    def replace(match: re.Match[str]) -> str:
        target = match["target"]
        if "://" in target or target.startswith("#"):
            return match[0]
        path = f"{folder}/{target}" if folder else target
        text = match["text"]
        return f"`{path}`" if text in (target, path) else f"{text} (`{path}`)"

    return LINK.sub(replace, text)


def include_section(path: Path, title: str) -> str:
    """The body of the ``## title...`` section of a report (its subsections included, its own
    heading left to the page), relative links made plain; DocsError when it is gone."""
    name = path.relative_to(REPO) if path.is_relative_to(REPO) else Path(path.name)
    lines = path.read_text().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(f"## {title}")]
    if not starts:
        raise DocsError(f"{name} has no section '## {title}...'")
    body = []
    for line in lines[starts[0] + 1 :]:
        if line.startswith(("## ", "# ")):
            break
        body.append(line)
    folder = "" if name.parent == Path(".") else name.parent.as_posix()
    return _unlink("\n".join(body).strip("\n"), folder) + "\n"


def last_run(results: dict[str, Any], part: str) -> str:
    """When ``part`` was last measured (the newest run of bench/results.json that ran it)."""
    dates = [run["date"] for run in results.get("runs", []) if part in run.get("parts", [])]
    if not dates:
        raise DocsError(f"bench/results.json has no run of {part!r}")
    return str(max(dates))


def _intro(part: str | None) -> str:
    if part is None:
        measured = BENCHMARKS.read_text().split("\n\n")[1].strip()
        return (
            "> Quoted from `BENCHMARKS.md`, written by `make bench` (`python -m bench`). "
            f"{measured}"
        )
    results = json.loads(RESULTS.read_text())
    machine = results.get("machine", {})
    where = f"{machine.get('cpus')} CPUs ({machine.get('cpu')}), Python {machine.get('python')}"
    return (
        f"> Quoted from `BENCHMARKS.md`: measured by `python -m bench --only {part}` (part of "
        f"`make bench`), last run {last_run(results, part)}, on {where}."
    )


def render_benchmark(argument: str) -> str:
    """A section of BENCHMARKS.md (``all``: the whole report) under the command and date that
    measured it."""
    if argument == "all":
        body = BENCHMARKS.read_text().split("\n", 1)[1].split("\n\n", 2)[2]
        return _intro(None) + "\n\n" + _unlink(body.strip("\n"), "") + "\n"
    if argument not in SECTIONS:
        raise DocsError(f"no benchmark section {argument!r} (known: {', '.join(SECTIONS)}, all)")
    title, part = SECTIONS[argument]
    return _intro(part) + "\n\n" + include_section(BENCHMARKS, title)


def render_tuning(argument: str) -> str:
    """A section of bench/TUNING.md under the run's date (its commands are in the section)."""
    header = TUNING.read_text().split("\n## ", 1)[0]
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", header.split("\n", 1)[1])
    date = dates[-1] if dates else "undated"
    intro = (
        f"> Quoted from `bench/TUNING.md`: a `cryptonic tune` run on the bundled BTC history, "
        f"{date} (the commands are in that file and below)."
    )
    return intro + "\n\n" + include_section(TUNING, argument.strip())
