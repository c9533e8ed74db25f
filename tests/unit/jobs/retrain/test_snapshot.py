"""The retrain's price snapshot: the CSV it publishes names it, and too short a history is
refused before anything trains."""

from __future__ import annotations

import hashlib

import pytest

from cryptonic.config import Settings
from cryptonic.errors import CryptonicError
from cryptonic.jobs.retrain.snapshot import load_snapshot
from cryptonic.training.model.spec import ModelSpec
from tests.fixtures.retrain import TINY_SETTINGS


def test_the_snapshot_is_the_csv_it_publishes(prices_csv):
    settings = Settings(**TINY_SETTINGS, data_source=str(prices_csv))
    snapshot = load_snapshot(settings, "BTC-USD", ModelSpec.from_settings(settings))
    assert len(snapshot.dates) == snapshot.closes.size == snapshot.info.rows == 300
    assert (snapshot.info.start, snapshot.info.end) == (snapshot.dates[0], snapshot.dates[-1])
    assert snapshot.end == snapshot.dates[-1].isoformat()
    assert (snapshot.info.source, snapshot.info.calendar) == (str(prices_csv), "D")
    assert snapshot.info.sha256 == hashlib.sha256(snapshot.csv).hexdigest()


def test_too_short_a_history_for_the_backtest_is_refused(prices_csv):
    settings = Settings(**{**TINY_SETTINGS, "backtest_weeks": 52}, data_source=str(prices_csv))
    with pytest.raises(CryptonicError):
        load_snapshot(settings, "BTC-USD", ModelSpec.from_settings(settings))
