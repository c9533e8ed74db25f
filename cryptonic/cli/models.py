"""``cryptonic models list|show|compare|promote|rollback``: the registry's command-line operations.

:func:`models_command` does the work and prints to ``out``; :func:`cmd_models` wires the flags
to it. Store and registry failures are raised as :class:`~cryptonic.errors.CryptonicError`
(the CLI's error handler prints them with their code); success returns 0.

``list`` and ``promote`` show each version's **live** record next to its backtest: how its
forecasts did on the closes that came after them (as champion or shadow challenger), against
persistence on the same days (cryptonic.registry.track_record). ``promote`` prints both versions'
and then asks (``confirm``); the CLI answers for a terminal, or ``--yes``.

What is printed is cryptonic.cli.version_tables'. The registry is imported when a command runs,
not with this module, so ``cryptonic --help`` does not load it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TextIO

from cryptonic.cli.options import settings_from
from cryptonic.errors import ConfigError, DamagedPointerError, NoModelError

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands
    from cryptonic.registry.registry import Registry

__all__ = ["ACTIONS", "Action", "cmd_models", "models_command", "register", "terminal_confirm"]

Action = Literal["list", "show", "compare", "promote", "rollback"]
ACTIONS: tuple[Action, ...] = ("list", "show", "compare", "promote", "rollback")
COMPARE_DEFAULT = 5
"""Versions ``compare`` shows when none is named: the newest five (the book's v0..v4)."""


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``models``: the action, its versions, --yes; only the common flags (no prices, no model)."""
    p = sub.add_parser("models", parents=[flags.common], help=cmd_models.__doc__)
    p.add_argument("action", choices=ACTIONS)
    p.add_argument(
        "version", nargs="*", help="version for show/promote; versions to compare (default: 5)"
    )
    p.add_argument("--yes", action="store_true", help="promote without asking")
    p.set_defaults(func=cmd_models)


def cmd_models(args: argparse.Namespace) -> int:
    """Registry operations: list, show, compare, promote, rollback (never over HTTP)."""
    settings = settings_from(args)
    versions: list[str] = args.version or []
    if len(versions) > 1 and args.action != "compare":
        raise ConfigError(f"models {args.action} takes one version at most, got {len(versions)}")
    return models_command(
        args.action,
        settings.store_uri,
        settings.tickers[0],
        versions[0] if versions and args.action != "compare" else None,
        sys.stdout,
        confirm=None if args.yes else lambda q: terminal_confirm(q, sys.stdin, sys.stdout),
        versions=versions if args.action == "compare" else (),
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
    from cryptonic.registry.keys import check_ticker
    from cryptonic.registry.registry import open_registry

    if action not in ACTIONS:
        raise ConfigError(f"unknown models action {action!r}: use one of {', '.join(ACTIONS)}")
    ticker = check_ticker(ticker)
    reg = registry if registry is not None else open_registry(store_uri)
    if action == "list":
        return _list(reg, ticker, out)
    if action == "compare":
        return _compare(reg, ticker, list(versions) or ([version] if version else []), out)
    if action == "show":
        return _show(reg, ticker, version, out)
    if action == "promote":
        return _promote(reg, ticker, version, out, confirm)
    return _rollback(reg, ticker, version, out)


def _list(reg: Registry, ticker: str, out: TextIO) -> int:
    from cryptonic.cli.version_tables import format_versions_table
    from cryptonic.registry.track_record import load_track_record

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


def _compare(reg: Registry, ticker: str, named: list[str], out: TextIO) -> int:
    from cryptonic.cli.version_tables import format_compare

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


def _show(reg: Registry, ticker: str, version: str | None, out: TextIO) -> int:
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


def _promote(
    reg: Registry,
    ticker: str,
    version: str | None,
    out: TextIO,
    confirm: Callable[[str], bool] | None,
) -> int:
    """Both live records, the question, then the conditional swap against the champion seen."""
    from cryptonic.cli.version_tables import describe_live
    from cryptonic.registry.track_record import load_track_record

    if not version:
        raise ConfigError("models promote needs a version: cryptonic models promote <version>")
    try:
        before = reg.champion(ticker)
    except DamagedPointerError as exc:
        return _replace_damaged(reg, ticker, version, out, confirm, exc)
    reg.manifest(ticker, version)  # NotFoundError before any question
    if before is None or before.version != version:
        record = load_track_record(reg.store, ticker)
        live = record.versions if record else {}
        if before is not None:
            out.write(f"champion  {before.version}: {describe_live(live.get(before.version))}\n")
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


def _replace_damaged(
    reg: Registry,
    ticker: str,
    version: str,
    out: TextIO,
    confirm: Callable[[str], bool] | None,
    damaged: DamagedPointerError,
) -> int:
    """The one repair of a champion pointer that cannot be read (a truncated upload, an edit by
    hand): the jobs refuse to touch it, a person replaces it here, its history lost; only the
    damaged object itself, never a pointer someone repaired while the question was open."""
    reg.manifest(ticker, version)  # NotFoundError before any question
    out.write(f"the champion pointer of {ticker} cannot be read: {damaged.__cause__}\n")
    question = f"replace it with {version} (its history of earlier champions is lost)?"
    if confirm is not None and not confirm(question):
        out.write("not replaced: the damaged pointer is left as it is\n")
        return 1
    pointer = reg.replace_damaged(ticker, version, damaged.etag)
    out.write(f"promoted {pointer.version} to champion of {ticker} (previous: unreadable)\n")
    return 0


def _rollback(reg: Registry, ticker: str, version: str | None, out: TextIO) -> int:
    if version:
        raise ConfigError(
            "models rollback takes no version: it returns to the previous champion "
            "(use `models promote <version>` to pick one)"
        )
    pointer = reg.rollback(ticker)
    out.write(f"rolled back {ticker} from {pointer.rolled_back_from} to {pointer.version}\n")
    return 0
