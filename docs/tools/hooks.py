"""The MkDocs hook (mkdocs.yml ``hooks:``): every marker of a page replaced by its generated
block before the page is rendered (``docs.tools.markers``). A generator that finds something
missing stops the build with its message, like a broken link does under ``--strict``."""

from __future__ import annotations

from typing import Any

from mkdocs.exceptions import PluginError

from docs.tools import DocsError
from docs.tools.alarms import render_alarm, render_alarms
from docs.tools.benchmarks import render_benchmark, render_tuning
from docs.tools.cli_reference import render_cli
from docs.tools.markers import Generator, expand
from docs.tools.parameters import render_outputs, render_parameters
from docs.tools.settings_reference import render_settings

GENERATORS: dict[str, Generator] = {
    "settings": render_settings,
    "cli": render_cli,
    "alarms": render_alarms,
    "alarm": render_alarm,
    "parameters": render_parameters,
    "outputs": render_outputs,
    "benchmark": render_benchmark,
    "tuning": render_tuning,
}
"""Marker name -> what renders it."""


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Any) -> str:
    """The page's Markdown with its generated blocks in place."""
    try:
        return expand(markdown, GENERATORS, page.file.src_uri)
    except DocsError as exc:
        raise PluginError(str(exc)) from exc
