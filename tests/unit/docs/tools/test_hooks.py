"""The MkDocs hook fills a page's markers, and turns a generator's complaint into MkDocs' own
error, which stops the build with its message."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from docs.tools.hooks import on_page_markdown


def page(uri: str) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri=uri))


def test_a_page_gets_its_generated_blocks() -> None:
    text = "# Config\n\n<!-- generated: settings -->\n"
    out = on_page_markdown(text, page=page("configuration.md"), config=None, files=None)
    assert "| `TICKERS` |" in out
    assert "<!-- generated" not in out


def test_a_generator_s_complaint_stops_the_build() -> None:
    with pytest.raises(PluginError, match=re.escape("x.md: no generator named 'nope'")):
        on_page_markdown("<!-- generated: nope -->", page=page("x.md"), config=None, files=None)
    with pytest.raises(PluginError, match=re.escape("not an alarm of template.yaml")):
        on_page_markdown(
            "<!-- generated: alarm NoAlarm -->", page=page("y.md"), config=None, files=None
        )
