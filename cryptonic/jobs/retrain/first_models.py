"""A first model for every ticker that has none: what ``make run`` does before it serves, so a
new user's first page shows a forecast instead of a 503."""

from __future__ import annotations

from collections.abc import Callable

from cryptonic.config import Settings
from cryptonic.errors import CryptonicError, NoModelError
from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.registry.registry import Registry
from cryptonic.store.uri import open_store

__all__ = ["ensure_models"]


def ensure_models(settings: Settings, say: Callable[[str], None] = print) -> None:
    """Train and publish a model for each of ``settings.tickers`` without one (forced: the
    gate promotes a sane first model); ``say`` tells the person waiting what is happening."""
    store = open_store(settings.store_uri)
    registry = Registry(store)
    for ticker in settings.tickers:
        try:
            registry.resolve_version(ticker, settings.model_version)
            continue
        except NoModelError:
            pass
        say(f"no model for {ticker} in {settings.store_uri} yet: training one (about a minute)")
        result = retrain(settings, store, ticker, force=True, verbose=None)
        if result.error:
            raise CryptonicError(f"first training of {ticker} failed: {result.error['message']}")
        say(f"{ticker}: {result.reason}")
