"""The refresh's calibration step: the served version's adaptive scales moved by every outcome
that matured since the last refresh, before the day's band is drawn with them.

The state (cryptonic.registry.calibration) moves by compare-and-swap: two refreshes racing, or a
retry of a refresh that died after this step, re-read the winner's state, find its outcomes
applied, and write nothing. A new served version replaces the state with its own fit-time
calibration. A point model has no band, hence no state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cryptonic.forecast.adaptive import AdaptiveScales
from cryptonic.registry.calibration import CalibrationState, start_of_serving
from cryptonic.registry.keys import calibration_key
from cryptonic.registry.manifest import Manifest
from cryptonic.registry.track_record import LedgerRow, served_rows
from cryptonic.store.cas import update_json
from cryptonic.store.contract import ArtifactStore

__all__ = ["calibrate"]


def calibrate(
    store: ArtifactStore,
    ticker: str,
    manifest: Manifest,
    rows: Sequence[LedgerRow],
    *,
    keep_from: dt.date,
    step: float,
) -> AdaptiveScales | None:
    """The scales ``manifest``'s version serves with after the matured outcomes of ``rows`` (the
    ticker's score ledger on today's closes); None for a point model."""
    level = manifest.model.interval_level
    if level is None:
        return None
    version = manifest.version
    served = served_rows(rows)
    key = calibration_key(ticker)
    where = f"{store.uri.rstrip('/')}/{key}"

    def change(current: Any) -> Any:
        state = None if current is None else CalibrationState.parse(current, where)
        if state is None or state.version != version:
            since = start_of_serving(served, version)
            horizon = manifest.model.horizon
            state = CalibrationState.fresh(ticker, version, since, level, horizon, step)
        return state.updated(served, step=step, keep_from=keep_from).model_dump(mode="json")

    swapped = update_json(store, key, change)
    return CalibrationState.model_validate(swapped.value).adaptive
