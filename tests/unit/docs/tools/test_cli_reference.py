"""The command-line reference has a section for every subcommand with exactly the ``--help`` a
terminal prints (the golden file's), and every option of it."""

from __future__ import annotations

import re

import pytest

from cryptonic.cli.main import build_parser
from docs.tools.cli_reference import command_docs, render_cli
from tests.fixtures.golden import golden


def subcommands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(sub.choices)  # type: ignore[arg-type]


def section(text: str, name: str) -> str:
    parts = re.split(r"^### ", text, flags=re.M)
    found = [p for p in parts if p.startswith(f"cryptonic {name}\n")]
    assert len(found) == 1, f"cryptonic {name}: {len(found)} sections"
    return found[0]


@pytest.mark.parametrize("name", subcommands())
def test_every_command_has_its_section_and_every_option(name: str) -> None:
    text = render_cli()
    assert f"| [`cryptonic {name}`](#cryptonic-{name}) |" in text
    body = section(text, name)
    doc = {d.name: d for d in command_docs()}[name]
    assert doc.options, name
    for option in doc.options:
        assert option in body, f"cryptonic {name}: {option} missing"


def test_the_help_is_the_terminal_s_at_100_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # the reference does not depend on the caller's terminal
    expected = golden("cli-help.json")
    for doc in command_docs():
        assert doc.help == expected[doc.name], doc.name
    assert section(render_cli(), "runs").count("usage: cryptonic runs") == 1


def test_the_terminal_width_is_left_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("COLUMNS", "40")
    command_docs()
    assert os.environ["COLUMNS"] == "40"
    monkeypatch.delenv("COLUMNS")
    command_docs()
    assert "COLUMNS" not in os.environ
