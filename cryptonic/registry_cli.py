"""``cryptonic models list|show|promote|rollback``: the registry's command-line operations.

:func:`models_command` does the work and prints to ``out``; ``cryptonic/cli.py`` wires arguments
to it. Store and registry failures are raised as :class:`~cryptonic.errors.CryptonicError`
(the CLI's error handler prints them with their code); success returns 0.

``list`` and ``promote`` show each version's **live** record next to its backtest: how its
forecasts did on the closes that came after them (as champion or shadow challenger), against
persistence on the same days (cryptonic.track_record). ``promote`` prints both versions' and
then asks (``confirm``); the CLI answers for a terminal, or ``--yes``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TextIO

from cryptonic.errors import ConfigError, NoModelError
from cryptonic.manifest import Manifest, ScoreRow
from cryptonic.registry import Registry, check_ticker, open_registry
from cryptonic.track_record import LiveRecord, load_track_record

__all__ = [
    "Action",
    "describe_live",
    "format_versions_table",
    "models_command",
    "terminal_confirm",
]

Action = Literal["list", "show", "promote", "rollback"]
ACTIONS: tuple[Action, ...] = ("list", "show", "promote", "rollback")


def _mape(row: ScoreRow | None) -> str:
    return "-" if row is None or row.mape is None else f"{row.mape:.4g}"


def _number(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def format_versions_table(
    manifests: Sequence[Manifest],
    champion: str | None,
    live: Mapping[str, LiveRecord] | None = None,
) -> str:
    """A plain-text table: version, created_at, champion mark, strategy, backtest MAPE and
    persistence MAPE, then the live record: forecasts scored, MAPE, persistence MAPE, skill."""
    header = (
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
    rows = [header]
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
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def describe_live(record: LiveRecord | None) -> str:
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


def terminal_confirm(question: str, stdin: TextIO, out: TextIO) -> bool:
    """Ask ``question`` on a terminal (y/N); refuse, with how to go on, when there is none."""
    if not stdin.isatty():
        raise ConfigError(
            "models promote asks before it moves the champion, and stdin is not a terminal: "
            "pass --yes to promote without asking"
        )
    out.write(f"{question} [y/N] ")
    out.flush()
    return stdin.readline().strip().lower() in {"y", "yes"}


def models_command(
    action: Action,
    store_uri: str,
    ticker: str,
    version: str | None,
    out: TextIO,
    *,
    registry: Registry | None = None,
    confirm: Callable[[str], bool] | None = None,
) -> int:
    """Run one ``cryptonic models`` action against ``store_uri`` and print the result to ``out``.

    * ``list``: a table of published versions, newest first, ``*`` marking the champion, each
      with its backtest and its live record.
    * ``show``: the manifest of ``version`` (default: the champion) as JSON, with ``champion``.
    * ``promote``: print the live records of the champion and of ``version``, ask ``confirm``
      (None: do not ask), then make ``version`` the champion (conditional swap; a lost race
      raises :class:`~cryptonic.errors.ConflictError`). Declined: 1, nothing written.
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
        record = load_track_record(reg.store, ticker)
        out.write(
            format_versions_table(
                manifests,
                pointer.version if pointer else None,
                record.versions if record else None,
            )
        )
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
        reg.manifest(ticker, version)  # NotFoundError before any question
        if before is None or before.version != version:
            record = load_track_record(reg.store, ticker)
            live = record.versions if record else {}
            if before is not None:
                out.write(
                    f"champion  {before.version}: {describe_live(live.get(before.version))}\n"
                )
            out.write(f"candidate {version}: {describe_live(live.get(version))}\n")
            if confirm is not None and not confirm(f"promote {version} to champion of {ticker}?"):
                out.write("not promoted: the champion is unchanged\n")
                return 1
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
