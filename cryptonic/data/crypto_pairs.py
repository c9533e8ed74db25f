"""Which Yahoo symbols are crypto pairs an exchange can quote, and as which market.

Yahoo names a crypto pair ``BASE-QUOTE`` (``BTC-USD``, ``ETH-EUR``); ccxt names the same market
``BASE/QUOTE``. A hyphen alone does not make a pair (``BRK-B`` is a share class), so the quote
must be a currency exchanges price in. A pair must be asked in its own currency: BTC/USDT is not
BTC-USD, and substituting it would mix a stablecoin's premium into the series.
"""

from __future__ import annotations

from typing import Final

QUOTE_CURRENCIES: Final = frozenset(
    {"USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "USDT", "USDC", "BTC", "ETH"}
)
"""Quote currencies of Yahoo's crypto symbols that exchanges also list."""


def crypto_pair(symbol: str) -> str | None:
    """The ccxt market (``BTC/USD``) of a normalized Yahoo symbol, None when it is no crypto
    pair (a stock, an index, a fund)."""
    base, sep, quote = symbol.partition("-")
    if not sep or quote not in QUOTE_CURRENCIES or not base.isalnum() or base == quote:
        return None
    return f"{base}/{quote}"
