"""The refresh's calibration step against both stores: every matured outcome applied once,
whatever reruns, retries and racing refreshes do; a new served version starts fresh."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cryptonic.errors import IntegrityError
from cryptonic.jobs.refresh.calibration import calibrate
from cryptonic.registry.calibration import CalibrationState
from cryptonic.registry.keys import calibration_key
from cryptonic.registry.manifest import Manifest, ModelShape
from cryptonic.registry.track_record import LedgerRow
from cryptonic.store.contract import ArtifactStore
from tests.fixtures.api import WatchedStore
from tests.fixtures.published import TICKER, manifest_draft, manifest_of

V1, V2 = "20261122T060000Z-0000001", "20261129T060000Z-0000002"
D0 = dt.date(2026, 11, 23)
STEP = 0.05
KEY = calibration_key(TICKER)


def manifest(version: str = V1, level: float | None = 0.8) -> Manifest:
    shape = ModelShape(
        arch="default", weeks=2, lookback=14, horizon=7, calendar="D", interval_level=level
    )
    return manifest_of(manifest_draft(model=shape), version=version)


def row(as_of: dt.date, inside_days: list[bool | None], version: str = V1) -> LedgerRow:
    days = [d for d in inside_days if d is not None]
    return LedgerRow(
        as_of=as_of,
        version=version,
        role="champion",
        generated_at=f"{as_of + dt.timedelta(days=1)}T00:30:00Z",
        last_close=100.0,
        last_date=as_of + dt.timedelta(days=7),
        days_scored=len(days),
        banded_days=len(days),
        inside=sum(days),
        inside_days=inside_days,
        interval_level=0.8,
    )


def day(i: int) -> dt.date:
    return D0 + dt.timedelta(days=i)


def ledger_on(through: int, version: str = V1, start: int = 0) -> list[LedgerRow]:
    """Daily served forecasts from ``start`` to ``through``, each day's close out of the band
    when its index is even: what the ledger says once the close of day ``through`` is in."""
    rows = []
    for made in range(start, through + 1):
        days: list[bool | None] = [
            None if made + h + 1 > through else (made + h + 1) % 2 == 1 for h in range(7)
        ]
        rows.append(row(day(made), days, version))
    return rows


def matured(rows: list[LedgerRow]) -> int:
    return sum(r.banded_days for r in rows)


def state_of(store: ArtifactStore) -> CalibrationState:
    return CalibrationState.parse(store.get_json(KEY), KEY)


def test_the_first_refresh_starts_the_served_version_from_its_fit_time_band(store):
    scales = calibrate(store, TICKER, manifest(), [], keep_from=D0, step=STEP)
    assert scales is not None
    assert (scales.scales, scales.updates, scales.level) == ((1.0,) * 7, 0, 0.8)
    state = state_of(store)
    assert (state.version, state.since, state.applied) == (V1, dt.date.min, {})


def test_each_refresh_applies_the_outcomes_that_matured_since_the_last_one(store):
    for through in range(1, 12):
        scales = calibrate(store, TICKER, manifest(), ledger_on(through), keep_from=D0, step=STEP)
    assert scales is not None
    assert scales.updates == matured(ledger_on(11))
    assert scales.scales[0] != 1.0
    assert scales == state_of(store).adaptive


def test_a_rerun_or_a_retry_of_the_same_day_applies_nothing_and_writes_nothing(store):
    calibrate(store, TICKER, manifest(), ledger_on(9), keep_from=D0, step=STEP)
    first = state_of(store)
    watched = WatchedStore(store)
    again = calibrate(watched, TICKER, manifest(), ledger_on(9), keep_from=D0, step=STEP)
    assert again == first.adaptive
    assert [c for c in watched.calls if c.startswith("put")] == []


class Racing:
    """A store where another refresh of the same day moves the state between this one's read
    and its write (the first time only): this one's compare-and-swap must lose and re-read."""

    def __init__(self, inner: ArtifactStore, other: Any) -> None:
        self.inner, self.other, self.raced = inner, other, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def put_json(self, key: str, value: Any, **options: Any) -> str:
        if key == KEY and not self.raced:
            self.raced = True
            self.other()
        return self.inner.put_json(key, value, **options)


def test_two_refreshes_racing_apply_each_outcome_once(store):
    calibrate(store, TICKER, manifest(), ledger_on(5), keep_from=D0, step=STEP)
    rows = ledger_on(8)
    racing = Racing(
        store, lambda: calibrate(store, TICKER, manifest(), rows, keep_from=D0, step=STEP)
    )
    scales = calibrate(racing, TICKER, manifest(), rows, keep_from=D0, step=STEP)
    assert racing.raced
    assert scales is not None
    assert scales.updates == matured(rows)
    alone = calibrate(store, TICKER, manifest(), rows, keep_from=D0, step=STEP)
    assert alone == scales


def test_a_new_champion_starts_from_its_own_fit_time_calibration(store):
    calibrate(store, TICKER, manifest(V1), ledger_on(10), keep_from=D0, step=STEP)
    assert state_of(store).adaptive.updates > 0
    # V2 serves from day 11 (the retrain logged its forecast of day 11): V1's rows stay in the
    # ledger, and V2's first forecast has no matured day yet
    rows = [*ledger_on(11)[:-1], row(day(11), [None] * 7, V2)]
    scales = calibrate(store, TICKER, manifest(V2), rows, keep_from=D0, step=STEP)
    assert scales is not None
    assert (scales.scales, scales.updates) == ((1.0,) * 7, 0)
    state = state_of(store)
    assert (state.version, state.since) == (V2, day(11))
    later = [*ledger_on(10), *ledger_on(13, V2, start=11)]
    scales = calibrate(store, TICKER, manifest(V2), later, keep_from=D0, step=STEP)
    assert scales is not None
    assert scales.updates == matured(ledger_on(13, V2, start=11))  # V2's outcomes only


def test_a_point_model_has_no_band_and_no_state(store):
    assert (
        calibrate(store, TICKER, manifest(level=None), ledger_on(3), keep_from=D0, step=1) is None
    )
    assert not store.exists(KEY)


def test_a_broken_state_is_refused_by_name_and_left_as_it_is(store):
    store.put_json(KEY, {"ticker": TICKER, "version": V1})
    with pytest.raises(IntegrityError, match=r"calibration\.json is not a valid calibration state"):
        calibrate(store, TICKER, manifest(), ledger_on(3), keep_from=D0, step=STEP)
    assert store.get_json(KEY) == {"ticker": TICKER, "version": V1}
