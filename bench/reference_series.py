"""Real daily series other than BTC, for checks that must not rest on BTC alone.

The bench runs offline, and the only prices the repository bundles are BTC's. The ``arch``
package (a dependency: the GARCH baseline) ships real daily series: the S&P 500 and the NASDAQ
Composite (1999-2018) and the WTI crude oil spot price (1986-2019). Each is taken whole and cut
at the end of a past crisis, so that the last 104 weeks of the cuts cover different regimes:
2008, the swoon of 2011, the 2014-15 oil collapse, the calm of 2017 and the sell-off of late 2018.

The calibration parts of the bench read them in memory (``frames``); ``python -m
bench.reference_series DIR`` writes them as CSVs, to try them elsewhere (``DATA_SOURCE=DIR/``).

Series that only close (WTI) get open = high = low = close and no volume.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from cryptonic.data import to_yahoo_csv, validate_prices

CUTS: dict[str, tuple[str, str, tuple[str | None, ...]]] = {
    "SP500": ("sp500", "Close", (None, "2012-12-31", "2009-06-30")),
    "NASDAQ": ("nasdaq", "Close", (None, "2009-06-30")),
    "WTI": ("wti", "DCOILWTICO", (None, "2016-06-30", "2009-06-30")),
}
"""File stem: (arch dataset, close column, end dates; None: the whole series)."""


def _load(dataset: str) -> pd.DataFrame:
    import importlib

    module: Any = importlib.import_module(f"arch.data.{dataset}")
    frame: pd.DataFrame = module.load()
    return frame


def frames() -> dict[str, pd.DataFrame]:
    """Every series and cut, validated, by file stem (``SP500``, ``SP500-2009``, ...)."""
    out: dict[str, pd.DataFrame] = {}
    for stem, (dataset, column, ends) in CUTS.items():
        raw = _load(dataset)
        close = pd.to_numeric(raw[column], errors="coerce").dropna()
        close = close[close > 0]
        for end in ends:
            kept = close if end is None else close[: pd.Timestamp(end)]
            name = stem if end is None else f"{stem}-{end[:4]}"
            frame = pd.DataFrame(
                {
                    "date": pd.DatetimeIndex(kept.index).normalize(),
                    "open": kept.to_numpy(),
                    "high": kept.to_numpy(),
                    "low": kept.to_numpy(),
                    "close": kept.to_numpy(),
                    "volume": 0.0,
                }
            )
            out[name] = validate_prices(frame, ticker=stem)
    return out


def write(folder: Path) -> list[Path]:
    """The CSVs, one per series and cut, in ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in frames().items():
        path = folder / f"{name}.csv"
        path.write_bytes(to_yahoo_csv(frame))
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reference_series")
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    for path in write(args.folder):
        print(path)


if __name__ == "__main__":
    main()
