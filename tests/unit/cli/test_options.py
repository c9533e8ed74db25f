"""The shared flags: their spelling, the settings they override, the TensorBoard folder."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cryptonic.cli.options import SETTING_FLAGS, settings_from, shared_flags, tensorboard_run
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


def test_an_invalid_flag_is_a_config_error_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"invalid settings: start_date: "):
        settings_from(_parse("--start", "yesterday"))


def test_tensorboard_run_is_a_new_folder_per_invocation(tmp_path: Path) -> None:
    assert tensorboard_run(Settings(tensorboard_dir=None), "train", "BTC-USD") is None
    run = tensorboard_run(Settings(tensorboard_dir=str(tmp_path)), "tune", "BTC-USD")
    assert run is not None
    assert run.parent == tmp_path
    assert re.fullmatch(r"tune-BTC-USD-\d{8}T\d{6}Z", run.name)
    assert not run.exists()  # TensorBoard's writer makes it
