"""``cryptonic models list|show|compare|promote|rollback``: the registry's command-line operations.

:func:`models_command` does the work and prints to ``out``; ``cryptonic/cli.py`` wires arguments
to it. Store and registry failures are raised as :class:`~cryptonic.errors.CryptonicError`
(the CLI's error handler prints them with their code); success returns 0.

``list`` and ``promote`` show each version's **live** record next to its backtest: how its
forecasts did on the closes that came after them (as champion or shadow challenger), against
persistence on the same days (cryptonic.registry.track_record). ``promote`` prints both versions'
and then asks (``confirm``); the CLI answers for a terminal, or ``--yes``.

``compare`` is the textbook's table of model versions (v0..v4 by RMSE and MAPE), read from the
registry: versions side by side, the config keys in which they differ, their backtest against
persistence (points and intervals) and the gate's decision.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TextIO

from cryptonic.errors import ConfigError, NoModelError
from cryptonic.forecast.scores import Scores
from cryptonic.registry.keys import check_ticker
from cryptonic.registry.manifest import Manifest
from cryptonic.registry.registry import Registry, open_registry
from cryptonic.registry.track_record import LiveScores, load_track_record

__all__ = [
    "Action",
    "describe_live",
    "format_compare",
    "format_versions_table",
    "models_command",
    "terminal_confirm",
]

Action = Literal["list", "show", "compare", "promote", "rollback"]
ACTIONS: tuple[Action, ...] = ("list", "show", "compare", "promote", "rollback")
COMPARE_DEFAULT = 5
"""Versions ``compare`` shows when none is named: the newest five (the book's v0..v4)."""


def _mape(row: Scores | None) -> str:
    return "-" if row is None or row.mape is None else f"{row.mape:.4g}"


def _number(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def format_versions_table(
    manifests: Sequence[Manifest],
    champion: str | None,
    live: Mapping[str, LiveScores] | None = None,
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


def format_compare(manifests: Sequence[Manifest], champion: str | None) -> str:
    """Versions side by side, oldest first: each config key on which they differ (``-``: not
    recorded, an older release's default), the backtest against persistence, the gate."""
    configs = [_config(m) for m in manifests]
    keys = sorted({k for c in configs for k in c})
    differing = [k for k in keys if len({json.dumps(c.get(k)) for c in configs}) > 1]
    rows: list[tuple[str, ...]] = [
        ("", *(m.version for m in manifests)),
        ("champion", *("*" if m.version == champion else "" for m in manifests)),
        ("created_at", *(m.created_at for m in manifests)),
        ("strategy", *(m.strategy for m in manifests)),
    ]
    rows += [(f"config {k}", *(_cell(c.get(k)) for c in configs)) for k in differing]

    def metric(name: str, spec: str, of: str = "model") -> tuple[str, ...]:
        cells = []
        for m in manifests:
            row = getattr(m.metrics, of, None) if m.metrics else None
            cells.append(_number(getattr(row, name, None) if row else None, spec))
        return (f"{of} {name}" if of != "model" else name, *cells)

    windows = []
    for m in manifests:
        w = m.metrics.window if m.metrics else None
        windows.append(f"{w.start}..{w.end} ({w.weeks} w)" if w and w.start else "-")
    rows.append(("backtest window", *windows))
    rows += [
        metric("mape", ".3f"),
        metric("rmse", ",.1f"),
        metric("skill", "+.3f"),
        metric("mape", ".3f", "persistence"),
        metric("rmse", ",.1f", "persistence"),
    ]
    if any(
        m.metrics and m.metrics.model and m.metrics.model.coverage is not None for m in manifests
    ):
        rows += [
            metric("coverage", ".1%"),
            metric("interval_level", ".0%"),
            metric("width", ".3f"),
            metric("pinball", ".3f"),
            metric("pinball_skill", "+.3f"),
        ]
    rows.append(
        (
            "gate",
            *(
                "-" if m.gate is None else ("promote" if m.gate.promote else "reject")
                for m in manifests
            ),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.append("")
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
    versions: Sequence[str] = (),
) -> int:
    """Run one ``cryptonic models`` action against ``store_uri`` and print the result to ``out``.

    * ``list``: a table of published versions, newest first, ``*`` marking the champion, each
      with its backtest and its live record.
    * ``show``: the manifest of ``version`` (default: the champion) as JSON, with ``champion``.
    * ``compare``: ``versions`` (default: the newest five) side by side, oldest first.
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

    if action == "compare":
        named = list(versions) or ([version] if version else [])
        if named:
            chosen = [reg.manifest(ticker, v) for v in named]
        else:
            chosen = list(reg.manifests(ticker))[:COMPARE_DEFAULT]
        if not chosen:
            out.write(f"no published versions of {ticker} in {reg.store.uri}\n")
            return 0
        chosen.sort(key=lambda m: m.version)
        pointer = reg.champion(ticker)
        out.write(format_compare(chosen, pointer.version if pointer else None))
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
