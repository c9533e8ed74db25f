"""The cold start over a published champion: the default ticker is loaded when the app is."""

from __future__ import annotations

from cryptonic.api import serving_state
from cryptonic.api.cold_start import started_app
from cryptonic.config import Settings
from tests.fixtures.published import api_client


def test_the_started_app_serves_the_default_champion_from_memory(
    local_published_registry, local_store_uri
) -> None:
    app = started_app(Settings(tickers=["BTC-USD"], store_uri=local_store_uri))
    loaded = serving_state(app).cache.peek("BTC-USD")
    assert loaded is not None, "the warm-up loaded the default ticker's champion"
    pointer = local_published_registry.champion("BTC-USD")
    assert pointer is not None
    champion = pointer.version
    assert loaded.version == champion
    response = api_client(app).get("/predict")
    assert response.status_code == 200
    assert response.json()["model_version"] == champion
