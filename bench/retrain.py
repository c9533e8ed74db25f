"""The weekly job end to end on BTC with the default config: data, train, backtest, export,
publish (into a fresh local store), and the gate's decision."""

from __future__ import annotations

import tempfile
import time
from typing import Any

from cryptonic.config import Settings
from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.store.uri import open_store


def run(store_uri: str | None = None) -> dict[str, Any]:
    """One first retrain (promotes) and one forced `continue` retrain (the gate compares)."""
    uri = store_uri or f"file://{tempfile.mkdtemp(prefix='cryptonic-bench-')}"
    settings = Settings(data_source="bundled", store_uri=uri)
    store = open_store(uri)
    t = time.perf_counter()
    first = retrain(settings, store, "BTC-USD")
    first_seconds = time.perf_counter() - t
    t = time.perf_counter()
    second = retrain(settings, store, "BTC-USD", strategy="continue", force=True)
    second_seconds = time.perf_counter() - t
    if first.error or second.error:
        raise RuntimeError(f"retrain failed: {first.error or second.error}")
    return {
        "store_uri": uri,
        "first": {"seconds": first_seconds, **first.to_dict()},
        "second": {"seconds": second_seconds, **second.to_dict()},
    }
