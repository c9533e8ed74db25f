"""The shared flags: their spelling, the settings they override, the TensorBoard folder."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cryptonic.cli.main import build_parser
from cryptonic.cli.options import (
    SETTING_FLAGS,
    int_between,
    settings_from,
    shared_flags,
    tensorboard_run,
)
from cryptonic.config import Settings
from cryptonic.errors import ConfigError


def _parse(*argv: str) -> argparse.Namespace:
    flags = shared_flags()
    parser = argparse.ArgumentParser(parents=[flags.common, flags.data, flags.model, flags.board])
    parser.add_argument("--arch")
    return parser.parse_args(argv)


def test_every_setting_flag_is_a_shared_flag_or_a_command_s() -> None:
    dests = set(vars(_parse()))
    commands_own = {"arch", "weeks", "strategy"}  # backtest, tune, retrain add these
    assert set(SETTING_FLAGS) - dests <= commands_own


def test_flags_given_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPOCHS", "30")
    monkeypatch.setenv("DROPOUT", "0.1")
    settings = settings_from(
        _parse("--ticker", "ETH-USD", "--epochs", "3", "--learning-rate", "0.01")
    )
    assert settings.tickers == ["ETH-USD"]  # one ticker, as a list
    assert (settings.epochs, settings.learning_rate) == (3, 0.01)
    assert settings.dropout == 0.1  # not given: the environment's
    assert settings.tensorboard_dir == Settings().tensorboard_dir


def test_arch_both_is_the_backtest_s_not_a_setting() -> None:
    assert settings_from(_parse("--arch", "both")).arch == Settings().arch
    assert settings_from(_parse("--arch", "book")).arch == "book"


def test_an_invalid_flag_is_a_config_error_naming_the_flag() -> None:
    with pytest.raises(ConfigError, match=r"invalid settings: --start: "):
        settings_from(_parse("--start", "yesterday"))
    with pytest.raises(ConfigError, match=r"invalid settings: --learning-rate: Input should be"):
        settings_from(_parse("--learning-rate", "0"))


def test_a_bad_environment_variable_is_named_as_set(monkeypatch) -> None:
    monkeypatch.setenv("BACKTEST_WEEKS", "0")
    with pytest.raises(ConfigError, match=r"invalid settings: BACKTEST_WEEKS: Input should be"):
        settings_from(_parse())


def test_a_rule_across_settings_names_them_without_a_field() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from(_parse("--start", "2020-01-01", "--end", "2019-01-01"))
    assert str(caught.value) == (
        "invalid settings: START_DATE 2020-01-01 must be before END_DATE 2019-01-01"
    )


def test_tensorboard_run_is_a_new_folder_per_invocation(tmp_path: Path) -> None:
    assert tensorboard_run(Settings(tensorboard_dir=None), "train", "BTC-USD") is None
    run = tensorboard_run(Settings(tensorboard_dir=str(tmp_path)), "tune", "BTC-USD")
    assert run is not None
    assert run.parent == tmp_path
    assert re.fullmatch(r"tune-BTC-USD-\d{8}T\d{6}Z", run.name)
    assert not run.exists()  # TensorBoard's writer makes it


def _ticker_help(command: str) -> str:
    [sub] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    [ticker] = [a for a in sub.choices[command]._actions if "--ticker" in a.option_strings]
    return str(ticker.help)


@pytest.mark.parametrize("command", ["retrain", "refresh", "serve", "run"])
def test_the_commands_that_run_every_ticker_say_so(command: str) -> None:
    """They pass all of TICKERS on (retrain, refresh) or serve them all: not only the first."""
    assert _ticker_help(command).endswith("(default: every ticker of TICKERS)")


@pytest.mark.parametrize("command", ["train", "predict", "backtest", "models", "replay"])
def test_the_one_ticker_commands_take_the_first(command: str) -> None:
    assert _ticker_help(command).endswith("(default: first of TICKERS)")


def test_int_between_takes_its_bounds_and_refuses_the_rest() -> None:
    port = int_between(1, 65535)
    assert (port("1"), port("65535")) == (1, 65535)
    for text in ("0", "65536", "70000", "-1", "8000.5", "abc", ""):
        with pytest.raises(argparse.ArgumentTypeError) as refused:
            port(text)
        assert str(refused.value) == f"expected a whole number from 1 to 65535, got {text!r}"
