"""The ``GET /models`` body: a page of a ticker's published versions, newest first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from cryptonic.api.responses.status import backtest_summary
from cryptonic.api.responses.track_record import live_record
from cryptonic.api.schemas import ModelsResponse, VersionSummary

if TYPE_CHECKING:
    from cryptonic.registry.manifest import Manifest
    from cryptonic.registry.track_record import LiveScores


def version_summary(
    version: str, manifest: Manifest, *, champion: bool, live: LiveScores | None = None
) -> VersionSummary:
    """One row of ``GET /models``: a version's backtest against persistence, its gate and its
    live record."""
    backtest = backtest_summary(manifest)
    gate = manifest.gate
    return VersionSummary(
        version=version,
        created_at=manifest.created_at,
        champion=champion,
        strategy=manifest.strategy,
        parent=manifest.parent,
        mape=backtest.model_mape,
        persistence_mape=backtest.persistence_mape,
        skill=backtest.skill,
        promote=gate.promote if gate is not None else None,
        reason=gate.reason if gate is not None else None,
        live=live_record(live),
    )


def models_response(
    ticker: str,
    versions: Iterable[tuple[str, Manifest]],
    *,
    champion: str | None,
    pinned: str | None,
    next_cursor: str | None,
    live: Mapping[str, LiveScores] | None = None,
) -> ModelsResponse:
    """One page of ``GET /models``: ``versions`` are (id, manifest), newest first; ``live`` the
    versions' live records (the track record's ``versions``)."""
    records = live or {}
    return ModelsResponse(
        ticker=ticker,
        champion=champion,
        pinned=pinned,
        versions=[
            version_summary(
                version, manifest, champion=version == champion, live=records.get(version)
            )
            for version, manifest in versions
        ],
        next_cursor=next_cursor,
    )
