"""Markers are replaced by their generated block; a marker nobody generates stops the build, and
every marker of the site's pages names a generator of the hook."""

from __future__ import annotations

import re

import pytest

from docs.tools import DOCS, DocsError
from docs.tools.hooks import GENERATORS
from docs.tools.markers import expand, markers

PAGES = sorted(DOCS.rglob("*.md"))


def test_markers_become_their_blocks() -> None:
    text = "a\n<!-- generated: one -->\nb\n<!-- generated: two x y -->\n<!-- not one -->\n"
    generators = {"one": lambda arg: f"ONE[{arg}]\n", "two": lambda arg: f"TWO[{arg}]"}
    assert markers(text) == [("one", ""), ("two", "x y")]
    assert expand(text, generators, "p.md") == "a\nONE[]\nb\nTWO[x y]\n<!-- not one -->\n"


def test_a_marker_nobody_generates_names_its_page() -> None:
    with pytest.raises(DocsError, match=re.escape("p.md: no generator named 'nope'")):
        expand("<!-- generated: nope -->", {"one": str}, "p.md")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_marker_of_the_site_names_a_generator(page) -> None:
    for name, _ in markers(page.read_text()):
        assert name in GENERATORS, f"{page}: {name}"


def test_the_references_are_where_the_pages_say() -> None:
    found = {(p.relative_to(DOCS).as_posix(), n) for p in PAGES for n, _ in markers(p.read_text())}
    for expected in [
        ("configuration.md", "settings"),
        ("cli.md", "cli"),
        ("operating/runbooks.md", "alarms"),
        ("deploy.md", "parameters"),
        ("deploy.md", "outputs"),
        ("benchmarks.md", "benchmark"),
    ]:
        assert expected in found
