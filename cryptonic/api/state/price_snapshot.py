"""The training snapshot (``prices.csv``) of a version, read with the ``csv`` module.

``GET /historic`` serves these closes. Parsing with the standard library keeps pandas (and numpy)
off the serving path: the Lambda image does not install pandas, and the cold start does not pay
for numpy before the first on-demand forecast.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass

from cryptonic.errors import DataError


@dataclass(frozen=True)
class PriceSeries:
    """Daily closes of a snapshot, ascending by ISO date string (which sorts like the date)."""

    dates: list[str]
    closes: list[float]


def parse_prices(data: bytes) -> PriceSeries:
    """Date and close columns of a Yahoo-layout CSV (``Date,Open,High,Low,Close,Adj Close,Volume``).

    Header names are matched case-insensitively; ``Adj Close`` is used when there is no ``Close``.
    Rows without a usable date or a positive finite close are skipped; duplicates keep the last.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"prices.csv is not UTF-8: {exc}") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise DataError("prices.csv is empty")
    names = [h.strip().lower() for h in header]
    try:
        date_col = names.index("date")
    except ValueError:
        raise DataError("prices.csv has no Date column") from None
    if "close" in names:
        close_col = names.index("close")
    elif "adj close" in names:
        close_col = names.index("adj close")
    else:
        raise DataError("prices.csv has no Close column")
    rows: dict[str, float] = {}
    width = max(date_col, close_col)
    for row in reader:
        if len(row) <= width:
            continue
        day = row[date_col].strip()[:10]
        try:
            dt.date.fromisoformat(day)
            close = float(row[close_col])
        except ValueError:
            continue
        if math.isfinite(close) and close > 0:
            rows[day] = close
    if not rows:
        raise DataError("prices.csv has no rows with a date and a positive close")
    dates = sorted(rows)
    return PriceSeries(dates=dates, closes=[rows[d] for d in dates])
