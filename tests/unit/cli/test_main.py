"""`cryptonic`'s entry point: the groups assembled in order, errors as exit codes."""

from __future__ import annotations

import argparse
import logging
from typing import Any

import pytest

from cryptonic.cli import main as cli_main
from cryptonic.cli import retrain
from cryptonic.cli.main import build_parser, main
from cryptonic.errors import ConfigError


@pytest.fixture
def logging_levels(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """main's logging set-up, recorded instead of done (it would reconfigure the test run's)."""
    levels: list[int] = []

    def record(json_lines: bool | None = None, level: int = logging.INFO) -> None:
        levels.append(level)

    monkeypatch.setattr(cli_main, "configure_logging", record)
    return levels


def _subcommands(parser: argparse.ArgumentParser) -> list[str]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)


def test_the_groups_add_every_subcommand_in_the_released_order() -> None:
    assert _subcommands(build_parser()) == [
        "train",
        "predict",
        "backtest",
        "retrain",
        "tune",
        "models",
        "refresh",
        "runs",
        "replay",
        "data",
        "serve",
        "run",
    ]


def test_a_command_s_exit_code_is_main_s(monkeypatch, logging_levels) -> None:
    seen: list[Any] = []

    def command(args: argparse.Namespace) -> int:
        seen.append((args.command, args.force))
        return 1

    monkeypatch.setattr(retrain, "cmd_retrain", command)
    assert main(["retrain", "--force", "-v"]) == 1
    assert seen == [("retrain", True)]
    assert logging_levels == [logging.DEBUG]


def test_our_errors_are_one_line_and_exit_code_2(monkeypatch, logging_levels, capsys) -> None:
    def command(args: argparse.Namespace) -> int:
        raise ConfigError("no such knob")

    monkeypatch.setattr(retrain, "cmd_retrain", command)
    assert main(["retrain"]) == 2
    assert capsys.readouterr().err == "cryptonic: error [bad_config]: no such knob\n"
    assert logging_levels == [logging.INFO]


def test_an_interrupt_exits_130(monkeypatch, logging_levels) -> None:
    def command(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(retrain, "cmd_retrain", command)
    assert main(["retrain"]) == 130


def test_a_usage_error_is_argparse_s(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["models", "delete"])
    assert exit_.value.code == 2
    assert "invalid choice: 'delete'" in capsys.readouterr().err
