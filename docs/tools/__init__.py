"""What the site build generates instead of a person copying it: the configuration reference
from ``Settings``, the CLI reference from the parsers, the alarm list and the deploy parameters
from ``template.yaml``, the benchmark figures from BENCHMARKS.md; and the scripts that draw the
site's pictures with headless Chromium.

``hooks.py`` is the MkDocs hook (mkdocs.yml ``hooks:``) that puts each generated block where a
page holds its marker (``markers.py``). Nothing here is imported by the library.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The repository root (the build reads template.yaml, BENCHMARKS.md, bench/results.json)."""
DOCS = REPO / "docs"
"""The site's sources (``docs_dir`` of mkdocs.yml)."""


class DocsError(Exception):
    """Something the site promises is missing (an alarm without its runbook, an unknown
    marker, a benchmark section that is gone): the build stops and says which."""


def cell(text: str) -> str:
    """Text from the code or the template, safe in a Markdown table cell: pipes escaped, and
    ``<placeholder>`` shown as written rather than read as HTML."""
    return text.replace("|", "\\|").replace("<", "&lt;")
