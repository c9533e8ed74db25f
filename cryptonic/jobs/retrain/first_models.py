"""A first model for every ticker that has none: what ``make run`` does before it serves, so a
new user's first page shows a forecast instead of a 503.

Through the retrain's own entry point (forced: the gate promotes a sane first model), so each
ticker's outcome reads as ``cryptonic retrain`` reports it, and a ticker that cannot be trained
(no prices for it offline) is its result, not the end of the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptonic.config import Settings
from cryptonic.errors import NoModelError
from cryptonic.jobs.retrain.invocation import run_retrain_event
from cryptonic.registry.registry import Registry, open_registry

__all__ = ["FirstModels", "ensure_models", "without_model"]


@dataclass(frozen=True)
class FirstModels:
    """What :func:`ensure_models` did: the retrain's summary (None: every ticker had a model)
    and the tickers still without one, which the server answers 503 ``no_model`` for."""

    trained: dict[str, Any] | None
    missing: list[str]


def without_model(registry: Registry, settings: Settings) -> list[str]:
    """The tickers of ``settings`` that neither a pin nor a champion serves."""
    missing = []
    for ticker in settings.tickers:
        try:
            registry.resolve_version(ticker, settings.model_version)
        except NoModelError:
            missing.append(ticker)
    return missing


def ensure_models(settings: Settings, say: Callable[[str], None] = print) -> FirstModels:
    """Train and publish a model for each ticker of ``settings`` without one; ``say`` tells the
    person waiting what is happening."""
    registry = open_registry(settings.store_uri)
    missing = without_model(registry, settings)
    if not missing:
        return FirstModels(None, [])
    say(f"no model for {', '.join(missing)} in {settings.store_uri} yet: training (about a "
        "minute a ticker)")  # fmt: skip
    trained = run_retrain_event({"tickers": missing, "force": True}, settings)
    return FirstModels(trained, without_model(registry, settings))
