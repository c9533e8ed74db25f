"""The ``GET /health`` body: liveness and the champions this instance holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from cryptonic import __version__
from cryptonic.api.schemas import CachedChampion, HealthResponse


def health_response(
    store_kind: str,
    tickers: list[str],
    cached: Mapping[str, tuple[str, str | None, dt.date | None, float]],
) -> HealthResponse:
    """``GET /health``; ``cached``: ticker -> (version, promoted_at, forecast as_of, seconds
    since checked)."""
    return HealthResponse(
        app_version=__version__,
        store=store_kind,
        tickers=tickers,
        champions={
            ticker: CachedChampion(
                version=version,
                promoted_at=promoted_at,
                forecast_as_of=as_of,
                checked_seconds_ago=round(age, 3),
            )
            for ticker, (version, promoted_at, as_of, age) in cached.items()
        },
    )
