"""`cryptonic tune`'s own flags (the search itself is tested with cryptonic.training.tuning)."""

from __future__ import annotations

import pytest

from cryptonic.cli.tune import parse_seeds
from cryptonic.errors import ConfigError


def test_backtest_seeds_are_integers_or_the_seed_alone() -> None:
    assert parse_seeds(None) is None
    assert parse_seeds("") is None
    assert parse_seeds("1, 2,3,") == [1, 2, 3]
    with pytest.raises(ConfigError, match=r"--backtest-seeds '1,x': use integers"):
        parse_seeds("1,x")
