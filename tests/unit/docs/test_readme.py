"""The README a newcomer reads first stays short and true: at most 150 lines, every link
resolves from the repository root, and it leads into every section of the docs."""

from __future__ import annotations

import re
from pathlib import Path

from docs.tools import DOCS, REPO

README = REPO / "README.md"
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def test_at_most_150_lines() -> None:
    assert len(README.read_text().splitlines()) <= 150


def test_every_link_resolves_from_the_repository_root() -> None:
    targets = [m["target"] for m in LINK.finditer(README.read_text())]
    local = [t for t in targets if "://" not in t and not t.startswith("#")]
    assert local
    for target in local:
        path = (REPO / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(REPO), target
        assert path.exists(), f"README links to {target}, which does not exist"


def test_it_leads_into_every_page_of_the_site() -> None:
    """Every page but the site's home, which says what the README says."""
    linked = {
        (REPO / m["target"].split("#", 1)[0]).resolve() for m in LINK.finditer(README.read_text())
    }
    pages = {p.resolve() for p in DOCS.rglob("*.md") if p not in (README, DOCS / "index.md")}
    missing = sorted(str(Path(p).relative_to(REPO)) for p in pages - linked)
    assert missing == [], f"pages the README does not link: {missing}"


def test_it_has_what_the_issue_asks_for() -> None:
    text = README.read_text()
    for heading in ("## The two commands", "## A first request", "## Deploy in three commands"):
        assert heading in text
    assert "```mermaid" in text
    assert "make run" in text
    assert "make test" in text
