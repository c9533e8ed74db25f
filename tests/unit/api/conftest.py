"""The app over an empty local store (no trained model): what the unit API tests call."""

from __future__ import annotations

from typing import Any

import pytest

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.registry.registry import Registry
from cryptonic.store.local import LocalStore
from tests.fixtures.published import api_client


@pytest.fixture
def settings(local_store_uri: str) -> Settings:
    return Settings(tickers=["BTC-USD", "AAPL"], store_uri=local_store_uri, cache_ttl_seconds=0)


@pytest.fixture
def app(settings: Settings, local_store: LocalStore) -> Any:
    return create_app(settings, Registry(local_store))


@pytest.fixture
def client(app: Any) -> Any:
    return api_client(app)
