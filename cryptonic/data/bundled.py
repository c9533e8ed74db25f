"""The BTC-USD snapshot shipped inside the package.

It lets ``make run``, the tests' end-to-end paths and an offline or rate-limited machine train a
real model without Yahoo. Only BTC-USD is bundled: shipping other tickers would mean shipping
data nobody refreshes.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Final

import pandas as pd

from cryptonic.data.csvio import read_prices_csv
from cryptonic.data.source_errors import NotQuotedError

BUNDLED_TICKER: Final = "BTC-USD"
_RESOURCE: Final = "BTC-USD.csv"


def load_bundled(ticker: str) -> pd.DataFrame:
    """The validated bundled snapshot for ``ticker`` (a normalized symbol), as a fresh copy."""
    if ticker != BUNDLED_TICKER:
        raise NotQuotedError(
            f"no bundled prices for {ticker!r}: only {BUNDLED_TICKER} is bundled; "
            "use DATA_SOURCES=yahoo (needs internet) or a CSV file"
        )
    # Callers filter and mutate: hand out copies of the parsed-once frame.
    return _parsed().copy()


@lru_cache(maxsize=1)
def _parsed() -> pd.DataFrame:
    # importlib.resources works from a wheel, a zip and the Lambda image alike.
    data = resources.files("cryptonic.data").joinpath(_RESOURCE).read_bytes()
    return read_prices_csv(data, ticker=BUNDLED_TICKER)
