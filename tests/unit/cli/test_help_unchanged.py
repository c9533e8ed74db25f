"""The command line's interface does not move when the code behind it does.

``tests/fixtures/golden/cli-help.json`` holds ``cryptonic --help`` and every subcommand's
``--help`` at 100 columns; a change to them is a change to the CLI, made on purpose: regenerate
the file in the same commit and say why (``python -m tests.fixtures.golden``).
"""

from __future__ import annotations

import pytest

from tests.fixtures.golden import current_help, golden


def test_every_help_text_is_the_released_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    expected = golden("cli-help.json")
    current = current_help()
    assert sorted(current) == sorted(expected)
    for command, text in expected.items():
        assert current[command] == text, f"cryptonic {command} --help changed"
