"""Shared fixtures. Heavier fixture families live in tests/fixtures/ and are plugged in here."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

pytest_plugins = [
    "tests.fixtures.prices",
    "tests.fixtures.s3",
    "tests.fixtures.s3_fakes",
    "tests.fixtures.models",
    "tests.fixtures.retrain",
    "tests.fixtures.published",
    "tests.fixtures.containers",
    "tests.fixtures.browser",
    "tests.fixtures.yahoo.recorded",
    "tests.fixtures.exchange_replay",
]
