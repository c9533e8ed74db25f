"""The retrain function's work behind its handler: parse the event, run each ticker, summarize.

Kept in the library so the Lambda handler stays three lines and the CLI can run the very same
path (``cryptonic retrain``).
"""

from __future__ import annotations

import logging
from typing import Any

from cryptonic.config import Settings, get_settings
from cryptonic.errors import CryptonicError
from cryptonic.pipeline import outcome, retrain
from cryptonic.retrain_request import parse_retrain_event
from cryptonic.store import open_store

log = logging.getLogger("cryptonic.retrain")


def run_retrain_event(event: Any, settings: Settings | None = None) -> dict[str, Any]:
    """``{"ok", "results": [{ticker, version, promoted, reason, metrics, champion, ...}]}``.

    Never raises for bad input or a failing ticker: the scheduler would retry a raised error,
    and a retry cannot fix a bad payload. Errors are in the summary (and logged).
    """
    try:
        settings = settings or get_settings()
        request = parse_retrain_event(event)
        store = open_store(settings.store_uri)
    except CryptonicError as exc:
        log.error("retrain request refused: %s", exc, extra={"code": exc.code})
        return {"ok": False, "error": {"code": exc.code, "message": str(exc)}, "results": []}
    results = []
    for ticker in request.tickers or settings.tickers:
        result = retrain(settings, store, ticker, request.strategy, request.force)
        summary = result.to_dict()
        log.info(
            "retrain %s %s: %s",
            result.ticker,
            outcome(result),
            result.reason,
            extra={"summary": summary, "outcome": outcome(result)},
        )
        results.append(summary)
    return {"ok": all(r["error"] is None for r in results), "results": results}
