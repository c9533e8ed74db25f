"""``GET /health`` once a champion is loaded."""

from __future__ import annotations

import pytest

from tests.fixtures.api import make_client
from tests.fixtures.published import TICKER

pytestmark = pytest.mark.slow


def test_health_lists_cached_champions(published_registry):
    client = make_client(published_registry)
    assert client.get("/health").json()["champions"] == {}
    client.get("/predict")
    cached = client.get("/health").json()["champions"][TICKER]
    assert cached["version"] == published_registry.champion(TICKER).version
    assert cached["checked_seconds_ago"] >= 0
