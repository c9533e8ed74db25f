"""The tickers a scheduled run works on: the ``TICKERS`` parameter and the store's ``tickers.json``.

A deployment's parameter is fixed until the next ``sam deploy``; a portfolio is not. So the store
may hold ``tickers.json`` (``{"tickers": ["AAPL", "ETH-USD"]}``, or a bare JSON list) beside the
models, and every scheduled retrain and refresh reads it afresh: adding a symbol is one upload,
no redeploy. The parameter's tickers come first, the file's follow in its order, duplicates once.

A broken file must not cost the tickers it cannot name: ``TickerList.problem`` says what is
wrong with it and the parameter's tickers still run; the caller reports the problem (the
dispatch as the ``TickerListUnusable`` metric, which pages, after sending the good ones; a direct
invoke in its failure).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from cryptonic.config import Settings, normalize_ticker
from cryptonic.errors import NotFoundError
from cryptonic.jobs.bounded_json import loads_bounded
from cryptonic.store.contract import ArtifactStore

log = logging.getLogger("cryptonic.tickers")

TICKERS_FILE: Final = "tickers.json"
"""Key of the optional ticker list, relative to the store root (``STORE_URI``)."""
MAX_FILE_TICKERS: Final = 10_000
"""A sanity bound: a list longer than this is a mistake (a pasted price file), not a portfolio."""
MAX_FILE_BYTES: Final = 1_000_000
"""The file's size bound (10,000 symbols take about 200 kB), checked before it is parsed."""


@dataclass(frozen=True)
class TickerList:
    """The tickers to run, and why the store's file (if any) was not fully usable."""

    tickers: list[str]
    from_file: list[str]
    problem: str | None = None

    def run_summary(self, results: list[dict[str, Any]]) -> dict[str, Any]:
        """A loop's ``{"ok", "results"[, "problem"]}``: not ok if a ticker failed or the file
        was unusable (the caller raises after the tickers ran, so the invocation pages)."""
        summary: dict[str, Any] = {
            "ok": self.problem is None and all(r["error"] is None for r in results),
            "results": results,
        }
        if self.problem:
            log.error("%s", self.problem)
            summary["problem"] = self.problem
        return summary


def parse_ticker_file(value: Any) -> list[str]:
    """The tickers of a ``tickers.json`` document, normalized; ValueError naming every bad entry."""
    entries = value.get("tickers") if isinstance(value, dict) else value
    if isinstance(value, dict) and set(value) - {"tickers"}:
        raise ValueError(f"unknown keys {sorted(set(value) - {'tickers'})}: expected 'tickers'")
    if not isinstance(entries, list):
        raise ValueError('expected {"tickers": ["BTC-USD", ...]} or a JSON list of symbols')
    if len(entries) > MAX_FILE_TICKERS:
        raise ValueError(f"{len(entries)} tickers; at most {MAX_FILE_TICKERS} are accepted")
    tickers: list[str] = []
    bad: list[str] = []
    for entry in entries:
        try:
            if not isinstance(entry, str):
                raise ValueError
            tickers.append(normalize_ticker(entry))
        except ValueError:
            bad.append(repr(entry))
    if bad:
        raise ValueError(f"not Yahoo Finance symbols: {', '.join(bad[:10])}")
    return list(dict.fromkeys(tickers))


def read_ticker_file(store: ArtifactStore) -> list[str]:
    """The store's list, ``[]`` without one; ValueError for a file that cannot be used."""
    try:
        data = store.get_bytes(TICKERS_FILE)
    except NotFoundError:
        return []
    document = loads_bounded(data, what="the file", max_bytes=MAX_FILE_BYTES)
    return parse_ticker_file(document)


def run_tickers(
    settings: Settings, store: ArtifactStore, requested: list[str] | None = None
) -> TickerList:
    """``requested`` when a caller named tickers, else ``TICKERS`` then ``tickers.json``. Store
    errors other than "no file" propagate: a run that cannot read the store could not publish
    either."""
    if requested:  # normalized by the request's parser; named twice, run once
        return TickerList(tickers=list(dict.fromkeys(requested)), from_file=[])
    try:
        from_file = read_ticker_file(store)
    except ValueError as exc:
        problem = f"{store.uri}/{TICKERS_FILE} is not usable: {exc}"
        return TickerList(tickers=list(settings.tickers), from_file=[], problem=problem)
    tickers = list(dict.fromkeys([*settings.tickers, *from_file]))
    return TickerList(tickers=tickers, from_file=from_file)
