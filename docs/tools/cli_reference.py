"""The command-line reference, read from the parsers (``cryptonic.cli.main.build_parser``): every
subcommand with its one-line summary and its whole ``--help``, at the 100 columns the golden
file holds (tests/fixtures/golden/cli-help.json), so the site shows exactly what a terminal does."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

from cryptonic.cli.main import build_parser

__all__ = ["CommandDoc", "command_docs", "render_cli"]

COLUMNS = "100"


@dataclass(frozen=True)
class CommandDoc:
    """One subcommand: its name, the summary ``cryptonic --help`` gives it, its help text and
    every option string it accepts."""

    name: str
    summary: str
    help: str
    options: tuple[str, ...]

    @property
    def anchor(self) -> str:
        """The id of its section (what the site's table of contents makes of its heading)."""
        return f"cryptonic-{self.name}"


@contextlib.contextmanager
def _columns(width: str) -> Iterator[None]:
    """argparse wraps help at ``COLUMNS``: fixed while the texts are made, then restored."""
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = width
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise ValueError("the cryptonic parser has no subcommands")


def command_docs(parser: argparse.ArgumentParser | None = None) -> list[CommandDoc]:
    """Every subcommand, in the order ``cryptonic --help`` lists them."""
    sub = _subcommands(parser or build_parser())
    summaries = {a.dest: " ".join((a.help or "").split()) for a in sub._choices_actions}
    with _columns(COLUMNS):
        return [
            CommandDoc(
                name=name,
                summary=summaries.get(name, ""),
                help=command.format_help(),
                options=tuple(s for a in command._actions for s in a.option_strings),
            )
            for name, command in sub.choices.items()
        ]


def render_cli(_argument: str = "") -> str:
    """A table of the subcommands, then a section per subcommand with its ``--help``."""
    docs = command_docs()
    lines = ["| command | what it does |", "|---|---|"]
    lines += [f"| [`cryptonic {d.name}`](#{d.anchor}) | {d.summary} |" for d in docs]
    for doc in docs:
        lines += ["", f"### cryptonic {doc.name}", "", doc.summary, "", "```text"]
        lines += [doc.help.rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"
