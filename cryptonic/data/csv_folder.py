"""``DATA_SOURCE=<folder>/``: a folder of CSV exports, one ``<TICKER>.csv`` per ticker.

A portfolio kept offline (or exported from a broker) is many files, not one: with a folder every
ticker of a run finds its own file, and a ticker without one falls back to the ``auto`` rule
(Yahoo Finance, or the bundled snapshot for BTC-USD), so BTC-USD keeps working beside a folder
of stock exports. A trailing ``/`` is what marks a folder, so a mistyped file name is never read
as an empty folder.
"""

from __future__ import annotations

from pathlib import Path


def is_folder_source(source: str) -> bool:
    """Whether ``DATA_SOURCE`` names a folder (it ends with a path separator)."""
    return source.endswith(("/", "\\"))


def csv_in_folder(folder: str, symbol: str) -> Path | None:
    """``<folder>/<symbol>.csv`` when it exists (``^GSPC`` is looked up as ``^GSPC.csv``)."""
    path = Path(folder) / f"{symbol}.csv"
    return path if path.is_file() else None
