"""Prices as CSV bytes in Yahoo's layout, written byte-for-byte reproducibly.

The registry keeps each model's training data as ``prices.csv`` and records its sha256, so that a
model can be traced to the exact closes it saw. That only works if the same frame always gives
the same bytes and reading them back gives the same frame: fixed column order, ISO dates, ``\\n``
line ends, and floats written with the shortest text that round-trips exactly.
"""

from __future__ import annotations

import hashlib
import io
import os
from typing import Final

import numpy as np
import pandas as pd

from cryptonic.data.frame import COLUMNS
from cryptonic.data.validation import validate_prices
from cryptonic.errors import DataError

HEADER: Final = ("Date", "Open", "High", "Low", "Close", "Volume")
"""Yahoo's header minus ``Adj Close``: the frame does not carry adjusted closes, and writing
``Close`` under that name would be wrong for any stock that paid a dividend."""

MISSING: Final = "null"
"""How a missing value is written (Yahoo's spelling; one of pandas' NA strings)."""

_MAX_EXACT_INT: Final = 2**53


def to_yahoo_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes of a validated frame; identical frames always give identical bytes."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"cannot write prices as CSV: missing columns {', '.join(missing)}")
    lines = [",".join(HEADER)]
    dates = pd.DatetimeIndex(frame["date"]).strftime("%Y-%m-%d")
    prices = [frame[c].to_numpy(dtype="float64") for c in COLUMNS[1:5]]
    volume = frame["volume"].to_numpy(dtype="float64")
    present = volume[~np.isnan(volume)]
    whole_volume = bool(
        np.all(np.isfinite(present))
        and np.all(present == np.round(present))
        and np.all(np.abs(present) < _MAX_EXACT_INT)
    )
    for i, day in enumerate(dates):
        cells = [day, *(_float_text(p[i]) for p in prices)]
        whole = whole_volume and not np.isnan(volume[i])
        cells.append(str(int(volume[i])) if whole else _float_text(volume[i]))
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


def read_prices_csv(
    source: bytes | str | os.PathLike[str],
    *,
    ticker: str | None = None,
    min_rows: int | None = None,
) -> pd.DataFrame:
    """A validated frame from CSV bytes or a CSV path (Yahoo's layout; ``Adj Close`` optional).

    ``str`` means a path, never CSV text: a path typo should fail as "not found", not as
    a baffling parse error of the path itself.
    """
    if isinstance(source, bytes):
        buffer: io.BytesIO | str | os.PathLike[str] = io.BytesIO(source)
        where = "CSV data"
    else:
        buffer = source
        where = f"CSV file {os.fspath(source)!r}"
        if not os.path.isfile(source):
            raise DataError(f"{where} not found")
    try:
        # Yahoo's own CSV exports write missing values as "null", one of pandas' NA strings.
        # pandas 3 parses floats exactly (round-trip) by default, which the sha256 relies on.
        raw = pd.read_csv(buffer, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{where} is not a readable CSV: {exc}") from exc
    try:
        return validate_prices(raw, ticker=ticker, min_rows=min_rows)
    except DataError as exc:
        raise DataError(f"{where}: {exc}") from exc


def frame_sha256(frame: pd.DataFrame) -> str:
    """Hex sha256 of ``to_yahoo_csv(frame)``: the identity of a training snapshot."""
    return hashlib.sha256(to_yahoo_csv(frame)).hexdigest()


def _float_text(value: float) -> str:
    """repr() is the shortest decimal that parses back to the same float64; a missing value
    (a volume Yahoo left empty: validation lets it through where no model reads it) is written
    ``null``, as Yahoo's own CSVs do, and read back as NaN."""
    return MISSING if np.isnan(value) else repr(float(value))
