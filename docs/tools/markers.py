"""Markers: where a page wants a generated block.

A marker is an HTML comment alone on its line, ``<!-- generated: NAME -->`` or ``<!-- generated:
NAME ARGUMENT -->``; the build replaces it with what the generator NAME renders for ARGUMENT.
In the Markdown on GitHub it stays an invisible comment, so a page reads the same there, only
without the generated block.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from docs.tools import DocsError

MARKER = re.compile(r"^<!-- generated: (?P<name>[a-z_-]+)(?: (?P<argument>[^>]+?))? -->$", re.M)

Generator = Callable[[str], str]
"""Renders Markdown for a marker's argument (empty when it has none)."""


def markers(markdown: str) -> list[tuple[str, str]]:
    """The ``(name, argument)`` of every marker in ``markdown``, in order."""
    return [(m["name"], m["argument"] or "") for m in MARKER.finditer(markdown)]


def expand(markdown: str, generators: Mapping[str, Generator], page: str) -> str:
    """``markdown`` with every marker replaced by its generated block; DocsError naming the page
    for a marker no generator answers to."""

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        generator = generators.get(name)
        if generator is None:
            known = ", ".join(sorted(generators))
            raise DocsError(f"{page}: no generator named {name!r} (known: {known})")
        return generator(match["argument"] or "").rstrip("\n")

    return MARKER.sub(replace, markdown)
