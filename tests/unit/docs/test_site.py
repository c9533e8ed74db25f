"""``make docs``: the site builds offline with ``--strict`` (a broken link, a missing page or
anchor, a generated block that finds something missing fails it), and the built pages hold every
generated entry: each setting, each command, each alarm's runbook section at its anchor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from docs.tools import REPO
from docs.tools.alarms import alarm_docs, runbook_anchor
from docs.tools.cli_reference import command_docs
from docs.tools.settings_reference import setting_docs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_every_page_is_built(site: Path) -> None:
    for page in ("", "getting-started/", "operating/runbooks/", "configuration/", "cli/"):
        assert (site / page / "index.html").is_file(), page
    assert not list(site.rglob("*.py")), "the docs' code is not part of the site"


def test_every_alarm_has_its_section_at_its_anchor(site: Path) -> None:
    html = (site / "operating" / "runbooks" / "index.html").read_text()
    for alarm in alarm_docs():
        assert f'id="{runbook_anchor(alarm.logical_id)}"' in html, alarm.logical_id
        assert f'href="#{runbook_anchor(alarm.logical_id)}"' in html, alarm.logical_id


def test_every_setting_and_command_is_on_its_page(site: Path) -> None:
    settings = (site / "configuration" / "index.html").read_text()
    for doc in setting_docs():
        assert f"<code>{doc.env}</code>" in settings, doc.env
    cli = (site / "cli" / "index.html").read_text()
    for command in command_docs():
        assert f'id="cryptonic-{command.name}"' in cli, command.name
