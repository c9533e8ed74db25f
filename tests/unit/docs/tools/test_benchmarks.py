"""Quoted figures come from the benchmark reports, each under its command and date, and a
section that is gone stops the build instead of quoting nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from docs.tools import DocsError
from docs.tools.benchmarks import (
    RESULTS,
    SECTIONS,
    include_section,
    last_run,
    render_benchmark,
    render_tuning,
)


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_every_quoted_section_exists_with_its_command_and_date(name: str) -> None:
    text = render_benchmark(name)
    assert text.startswith("> Quoted from `BENCHMARKS.md`")
    _, part = SECTIONS[name]
    if part is not None:
        date = last_run(json.loads(RESULTS.read_text()), part)
        assert f"`python -m bench --only {part}`" in text
        assert f"last run {date}" in text
    assert len(text.splitlines()) > 3


def test_the_whole_report_and_the_tuning_run_are_quoted() -> None:
    assert "## Against the goals" in render_benchmark("all")
    tuning = render_tuning("Best configuration")
    assert tuning.startswith("> Quoted from `bench/TUNING.md`")
    assert "LOOKBACK_WEEKS=" in tuning
    with pytest.raises(DocsError, match="no benchmark section 'nope'"):
        render_benchmark("nope")


def test_a_section_ends_at_the_next_one_and_loses_its_relative_links(tmp_path: Path) -> None:
    report = tmp_path / "REPORT.md"
    report.write_text(
        "# R\n\n## One: x\n\ntext [raw](raw.json), [raw.json](raw.json), ![plot](p.png),"
        " [web](https://example.org/a), [here](#one)\n\n### sub\n\nkept\n\n## Two\n\ngone\n"
    )
    body = include_section(report, "One")
    assert body == (
        "text raw (`raw.json`), `raw.json`, plot (`p.png`), [web](https://example.org/a),"
        " [here](#one)\n\n### sub\n\nkept\n"
    )
    with pytest.raises(DocsError, match=re.escape("REPORT.md has no section '## Three...'")):
        include_section(report, "Three")


def test_the_last_run_of_a_part_is_the_newest() -> None:
    results = {
        "runs": [
            {"date": "2026-12-02 15:24 UTC", "parts": ["quality"]},
            {"date": "2026-12-03 11:34 UTC", "parts": ["serving", "quality"]},
            {"date": "2026-12-04 09:00 UTC", "parts": ["serving"]},
        ]
    }
    assert last_run(results, "quality") == "2026-12-03 11:34 UTC"
    with pytest.raises(DocsError, match="no run of 'images'"):
        last_run(results, "images")
