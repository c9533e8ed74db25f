"""``cryptonic models list|show|promote|rollback``: the registry's command-line operations.

:func:`models_command` does the work and prints to ``out``; ``cryptonic/cli.py`` wires arguments
to it. Store and registry failures are raised as :class:`~cryptonic.errors.CryptonicError`
(the CLI's error handler prints them with their code); success returns 0.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal, TextIO

from cryptonic.errors import ConfigError, NoModelError
from cryptonic.manifest import Manifest, ScoreRow
from cryptonic.registry import Registry, check_ticker, open_registry

__all__ = ["Action", "format_versions_table", "models_command"]

Action = Literal["list", "show", "promote", "rollback"]
ACTIONS: tuple[Action, ...] = ("list", "show", "promote", "rollback")


def _mape(row: ScoreRow | None) -> str:
    return "-" if row is None or row.mape is None else f"{row.mape:.4g}"


def format_versions_table(manifests: Sequence[Manifest], champion: str | None) -> str:
    """A plain-text table: version, created_at, champion mark, strategy, model/persistence MAPE."""
    header = ("", "VERSION", "CREATED_AT", "STRATEGY", "MAPE", "PERSISTENCE_MAPE")
    rows = [header]
    for m in manifests:
        metrics = m.metrics
        rows.append(
            (
                "*" if m.version == champion else "",
                m.version,
                m.created_at,
                m.strategy,
                _mape(metrics.model if metrics else None),
                _mape(metrics.persistence if metrics else None),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def models_command(
    action: Action,
    store_uri: str,
    ticker: str,
    version: str | None,
    out: TextIO,
    *,
    registry: Registry | None = None,
) -> int:
    """Run one ``cryptonic models`` action against ``store_uri`` and print the result to ``out``.

    * ``list``: a table of published versions, newest first, ``*`` marking the champion.
    * ``show``: the manifest of ``version`` (default: the champion) as JSON, with ``champion``.
    * ``promote``: make ``version`` the champion (conditional swap; a lost race raises
      :class:`~cryptonic.errors.ConflictError`).
    * ``rollback``: back to the previous champion.
    """
    if action not in ACTIONS:
        raise ConfigError(f"unknown models action {action!r}: use one of {', '.join(ACTIONS)}")
    ticker = check_ticker(ticker)
    reg = registry if registry is not None else open_registry(store_uri)

    if action == "list":
        manifests = list(reg.manifests(ticker))
        if not manifests:
            out.write(f"no published versions of {ticker} in {reg.store.uri}\n")
            return 0
        pointer = reg.champion(ticker)
        out.write(format_versions_table(manifests, pointer.version if pointer else None))
        return 0

    if action == "show":
        pointer = reg.champion(ticker)
        target = version or (pointer.version if pointer else None)
        if target is None:
            raise NoModelError(
                f"no model for {ticker} yet: run `cryptonic retrain --ticker {ticker}` "
                "(or invoke the retrain function)"
            )
        manifest = reg.manifest(ticker, target)
        shown: dict[str, Any] = {
            **manifest.model_dump(mode="json"),
            "champion": pointer is not None and pointer.version == target,
        }
        if pointer is not None and pointer.version == target:
            shown["champion_pointer"] = pointer.to_json()
        out.write(json.dumps(shown, indent=2, sort_keys=True) + "\n")
        return 0

    if action == "promote":
        if not version:
            raise ConfigError("models promote needs a version: cryptonic models promote <version>")
        before = reg.champion(ticker)
        pointer = reg.promote(ticker, version, expected=before)
        if before is not None and before.version == pointer.version:
            out.write(f"{version} is already the champion of {ticker}\n")
        else:
            previous = before.version if before else "none"
            out.write(f"promoted {version} to champion of {ticker} (previous: {previous})\n")
        return 0

    # rollback
    if version:
        raise ConfigError(
            "models rollback takes no version: it returns to the previous champion "
            "(use `models promote <version>` to pick one)"
        )
    pointer = reg.rollback(ticker)
    out.write(f"rolled back {ticker} from {pointer.rolled_back_from} to {pointer.version}\n")
    return 0
