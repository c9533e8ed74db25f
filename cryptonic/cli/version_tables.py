"""What ``cryptonic models`` prints about model versions: the ``list`` table, the ``compare``
table and the one-line live record ``promote`` shows before it asks.

Pure functions of manifests and live scores (no store, no registry): cryptonic.cli.models reads
the registry and hands them what to print. ``compare`` is the textbook's table of model versions
(v0..v4 by RMSE and MAPE): versions side by side, the config keys in which they differ, their
backtest against persistence (points and intervals) and the gate's decision.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptonic.forecast.scores import Scores
    from cryptonic.registry.manifest import Manifest
    from cryptonic.registry.track_record import LiveScores

__all__ = ["describe_live", "format_compare", "format_versions_table"]

Row = tuple[str, ...]

VERSIONS_HEADER: Row = (
    "",
    "VERSION",
    "CREATED_AT",
    "STRATEGY",
    "MAPE",
    "PERSISTENCE_MAPE",
    "LIVE_N",
    "LIVE_MAPE",
    "LIVE_PERSISTENCE",
    "LIVE_SKILL",
)


def _mape(row: Scores | None) -> str:
    return "-" if row is None or row.mape is None else f"{row.mape:.4g}"


def _number(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _aligned(rows: Sequence[Row]) -> list[str]:
    """Rows as lines, each column as wide as its widest cell (no trailing blanks)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def format_versions_table(
    manifests: Sequence[Manifest],
    champion: str | None,
    live: Mapping[str, LiveScores] | None = None,
) -> str:
    """A plain-text table: version, created_at, champion mark, strategy, backtest MAPE and
    persistence MAPE, then the live record: forecasts scored, MAPE, persistence MAPE, skill."""
    rows = [VERSIONS_HEADER]
    for m in manifests:
        metrics = m.metrics
        record = (live or {}).get(m.version)
        rows.append(
            (
                "*" if m.version == champion else "",
                m.version,
                m.created_at,
                m.strategy,
                _mape(metrics.model if metrics else None),
                _mape(metrics.persistence if metrics else None),
                str(record.forecasts) if record else "-",
                _number(record.mape if record else None, ".4g"),
                _number(record.persistence_mape if record else None, ".4g"),
                _number(record.skill if record else None, "+.3f"),
            )
        )
    return "\n".join(_aligned(rows)) + "\n"


def _flatten(prefix: str, value: Any, into: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, item, into)
    else:
        into[prefix] = value


def _config(manifest: Manifest) -> dict[str, Any]:
    """A version's run config as flat keys (``model.dropout``), with its data's last day."""
    flat: dict[str, Any] = {}
    if manifest.config is not None:
        _flatten("", manifest.config.model_dump(mode="json", exclude_unset=True), flat)
    flat["data.end"] = manifest.data.end.isoformat() if manifest.data.end else None
    return flat


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ",".join(_cell(v) for v in value)
    return str(value)


def _differing_config(manifests: Sequence[Manifest]) -> list[Row]:
    """One row per config key on which the versions differ (``-``: not recorded)."""
    configs = [_config(m) for m in manifests]
    keys = sorted({k for c in configs for k in c})
    differing = [k for k in keys if len({json.dumps(c.get(k)) for c in configs}) > 1]
    return [(f"config {k}", *(_cell(c.get(k)) for c in configs)) for k in differing]


def _metric(manifests: Sequence[Manifest], name: str, spec: str, of: str = "model") -> Row:
    """One backtest score of each version (``of``: the model's row or persistence's)."""
    cells = []
    for m in manifests:
        row = getattr(m.metrics, of, None) if m.metrics else None
        cells.append(_number(getattr(row, name, None) if row else None, spec))
    return (f"{of} {name}" if of != "model" else name, *cells)


def _backtest_rows(manifests: Sequence[Manifest]) -> list[Row]:
    """The window each version was backtested on, its points against persistence, and its
    intervals when any version has them (older releases forecast points only)."""
    windows = []
    for m in manifests:
        w = m.metrics.window if m.metrics else None
        windows.append(f"{w.start}..{w.end} ({w.weeks} w)" if w and w.start else "-")
    rows: list[Row] = [("backtest window", *windows)]
    for name, spec, of in (
        ("mape", ".3f", "model"),
        ("rmse", ",.1f", "model"),
        ("skill", "+.3f", "model"),
        ("mape", ".3f", "persistence"),
        ("rmse", ",.1f", "persistence"),
    ):
        rows.append(_metric(manifests, name, spec, of))
    if any(
        m.metrics and m.metrics.model and m.metrics.model.coverage is not None for m in manifests
    ):
        for name, spec in (
            ("coverage", ".1%"),
            ("interval_level", ".0%"),
            ("width", ".3f"),
            ("pinball", ".3f"),
            ("pinball_skill", "+.3f"),
        ):
            rows.append(_metric(manifests, name, spec))
    return rows


def format_compare(manifests: Sequence[Manifest], champion: str | None) -> str:
    """Versions side by side, oldest first: each config key on which they differ (``-``: not
    recorded, an older release's default), the backtest against persistence, the gate."""
    differing = _differing_config(manifests)
    rows: list[Row] = [
        ("", *(m.version for m in manifests)),
        ("champion", *("*" if m.version == champion else "" for m in manifests)),
        ("created_at", *(m.created_at for m in manifests)),
        ("strategy", *(m.strategy for m in manifests)),
        *differing,
        *_backtest_rows(manifests),
        (
            "gate",
            *(
                "-" if m.gate is None else ("promote" if m.gate.promote else "reject")
                for m in manifests
            ),
        ),
    ]
    lines = [*_aligned(rows), ""]
    lines += [f"{m.version}: {m.gate.reason}" for m in manifests if m.gate is not None]
    if not differing:
        lines.append("(the versions share one config)")
    return "\n".join(lines) + "\n"


def describe_live(record: LiveScores | None) -> str:
    """One line: a version's live record against persistence, or that it has none."""
    if record is None or record.forecasts == 0:
        return "no live record yet (no refreshed forecast of it has a realized day)"
    coverage = (
        f", {record.coverage:.0%} of closes inside its interval"
        if record.coverage is not None
        else ""
    )
    return (
        f"{record.forecasts} forecasts ({record.days_scored} days) from {record.first_as_of} to "
        f"{record.last_as_of}: MAPE {_number(record.mape, '.3f')}% vs persistence "
        f"{_number(record.persistence_mape, '.3f')}%, skill {_number(record.skill, '+.3f')}"
        f"{coverage}"
    )
