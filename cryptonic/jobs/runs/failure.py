"""How one ticker's failure becomes its result, the same way in both jobs.

A run goes over many tickers; one ticker's bad prices, store outage or bug must not stop the
others, so each job catches everything around one ticker and reports it in that ticker's
result: our errors with their code, a ``ValueError`` as bad input, anything else as ``internal``
with its traceback in the log (a bug or an outage nobody foresaw).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cryptonic.errors import CryptonicError

__all__ = ["TickerFailure", "ticker_failure"]


@dataclass(frozen=True)
class TickerFailure:
    """A ticker's ``error`` (code and message) and ``reason``, as its result reports them."""

    error: dict[str, str]
    reason: str


def ticker_failure(exc: Exception, job: str, ticker: str, log: logging.Logger) -> TickerFailure:
    """What ``job`` reports of ``ticker`` after ``exc``; logs it as its kind deserves."""
    if isinstance(exc, CryptonicError):
        log.warning("%s %s failed: %s", job, ticker, exc)
        return TickerFailure({"code": exc.code, "message": str(exc)}, f"failed: {exc}")
    if isinstance(exc, ValueError):
        return TickerFailure({"code": "bad_input", "message": str(exc)}, f"failed: {exc}")
    log.exception("%s %s crashed", job, ticker)
    return TickerFailure(
        {"code": "internal", "message": f"{type(exc).__name__}: {exc}"},
        "failed: internal error (see logs)",
    )
