"""The built site is served from a loopback port for the pictures, and only while they are
drawn."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from docs.tools.site_pictures import PAGES, serving_folder


def test_the_folder_is_served_on_loopback_then_stopped(tmp_path: Path) -> None:
    (tmp_path / "operating").mkdir()
    (tmp_path / "operating" / "index.html").write_text("<h1>runbooks</h1>")
    with serving_folder(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(base + "operating/", timeout=5) as answer:
            assert answer.read() == b"<h1>runbooks</h1>"
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base + "operating/", timeout=2)


def test_the_pictures_are_of_the_home_and_the_runbooks() -> None:
    assert PAGES["home"] == ""
    assert PAGES["runbooks"] == "operating/runbooks/"
