"""Shadow challengers: the rejected challengers the daily refresh scores beside the champion.

Model servers A/B test by splitting traffic between versions. A forecast needs no traffic to be
judged: every version can forecast the same days and be scored on the same closes, so the
challengers the gate turned down keep forecasting in the shadow (never served) and build a live
record next to the champion's. Which ones: the ``SHADOW_CHALLENGERS`` most recent published
versions whose gate said no (manifest ``gate.promote`` False) and that were published after the
current champion was promoted, i.e. those that lost to *this* champion.
"""

from __future__ import annotations

from cryptonic.forecast.freshness import parse_timestamp
from cryptonic.registry.champion import ChampionPointer
from cryptonic.registry.manifest import Manifest
from cryptonic.registry.registry import Registry

__all__ = ["is_rejected_since", "shadow_challengers"]


def is_rejected_since(manifest: Manifest, champion: ChampionPointer) -> bool:
    """Whether ``manifest`` is a challenger the gate rejected after ``champion`` took over."""
    if manifest.version == champion.version or manifest.gate is None or manifest.gate.promote:
        return False
    created = parse_timestamp(manifest.created_at)
    promoted = parse_timestamp(champion.promoted_at)
    return created is not None and promoted is not None and created > promoted


def shadow_challengers(
    registry: Registry, ticker: str, champion: ChampionPointer | None, limit: int
) -> list[Manifest]:
    """The shadows of ``ticker``, newest first: one LIST, then manifests newest first until
    ``limit`` are found or the versions are older than the champion's promotion."""
    if champion is None or limit <= 0:
        return []
    promoted = parse_timestamp(champion.promoted_at)
    found: list[Manifest] = []
    for manifest in registry.manifests(ticker):
        created = parse_timestamp(manifest.created_at)
        if created is not None and promoted is not None and created <= promoted:
            break  # newest first: every later one is older still
        if is_rejected_since(manifest, champion):
            found.append(manifest)
            if len(found) == limit:
                break
    return found
