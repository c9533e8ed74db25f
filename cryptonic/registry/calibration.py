"""The adaptive calibration of a ticker's served band, fed by the live record.

A version's interval is calibrated once, after its fit, on a validation tail; when the market's
volatility moves, its "80%" band stops holding 80% of the closes. The daily refresh keeps one
state per ticker, ``forecasts/<ticker>/calibration.json``: the scale of each horizon day's band
(:class:`cryptonic.forecast.adaptive.AdaptiveScales`), updated from every served forecast day
whose close has matured, as the score ledger records it (``LedgerRow.inside_days``: the close
against the band that was served). The refresh's next forecast is made with the updated scales,
so the forecast log, ``GET /predict`` and the page serve the adapted band, and its body says so
(:class:`BandCalibration`: ``calibration``, ``interval_scales``, ``calibration_outcomes``).

Rules:

* **Versioned with the served version.** The state names its version; a new champion (or a
  version pinned by ``MODEL_VERSION``) starts from its own fit-time calibration, every scale 1.
  Only that version's served forecasts since it started serving (``since``) feed it.
* **Each outcome once.** ``applied`` lists, per served forecast (by ``as_of``), the horizon days
  already applied: a rerun, a retry or a second refresh racing this one (the state moves by
  compare-and-swap) finds them there and applies nothing twice. Pruned forecasts' entries go.
* **Only matured outcomes.** A day counts once its close is in the ledger, never before.

Pure Python (pydantic, no numpy): serving reads what the bodies say.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, Self

from pydantic import Field, model_validator

from cryptonic.config import DEFAULT_CALIBRATION_STEP
from cryptonic.forecast.adaptive import AdaptiveScales, Outcome
from cryptonic.registry.documents import ClosedDocument

if TYPE_CHECKING:
    from cryptonic.forecast.value import Forecast
    from cryptonic.registry.track_record import LedgerRow

__all__ = [
    "CALIBRATION_FIELD",
    "OUTCOMES_FIELD",
    "SCALES_FIELD",
    "BandCalibration",
    "CalibrationMode",
    "CalibrationState",
    "calibrated",
    "start_of_serving",
]

CalibrationMode = Literal["fit", "adaptive"]
"""``fit``: the band as calibrated after the fit. ``adaptive``: rescaled from the live record."""

CALIBRATION_FIELD: Final = "calibration"
SCALES_FIELD: Final = "interval_scales"
OUTCOMES_FIELD: Final = "calibration_outcomes"
"""The keys a forecast body says its calibration with (beside ``interval_level``)."""


# --------------------------------------------------------------------------------------------
# What a forecast body says


@dataclass(frozen=True)
class BandCalibration:
    """How a forecast's band was calibrated: the mode, each day's scale, the outcomes behind."""

    mode: CalibrationMode
    scales: tuple[float, ...]
    outcomes: int = 0

    @classmethod
    def of(cls, state: AdaptiveScales) -> BandCalibration:
        """A state before any update is still the fit-time calibration."""
        return cls("adaptive" if state.updates else "fit", state.scales, state.updates)

    @classmethod
    def read(cls, fields: Mapping[str, Any], days: int) -> BandCalibration:
        """What a banded forecast's body (or a Forecast's ``extra``) says; a body written before
        adaptive calibration says nothing and is fit-time. ValueError when malformed."""
        mode = fields.get(CALIBRATION_FIELD, "fit")
        if mode not in ("fit", "adaptive"):
            raise ValueError(f"{CALIBRATION_FIELD} must be fit or adaptive, got {mode!r}")
        raw = fields.get(SCALES_FIELD)
        if raw is None:
            scales = (1.0,) * days
        elif isinstance(raw, list) and len(raw) == days:
            scales = tuple(float(s) for s in raw)
        else:
            raise ValueError(f"{SCALES_FIELD} must list one scale per forecast day ({days})")
        if not all(math.isfinite(s) and s > 0 for s in scales):
            raise ValueError(f"{SCALES_FIELD} must be positive and finite")
        outcomes = fields.get(OUTCOMES_FIELD, 0)
        if not isinstance(outcomes, int) or isinstance(outcomes, bool) or outcomes < 0:
            raise ValueError(f"{OUTCOMES_FIELD} must be a count")
        return cls("fit" if mode == "fit" else "adaptive", scales, outcomes)

    def fields(self) -> dict[str, Any]:
        """The body keys that say it."""
        return {
            CALIBRATION_FIELD: self.mode,
            SCALES_FIELD: list(self.scales),
            OUTCOMES_FIELD: self.outcomes,
        }

    def state(self, level: float) -> AdaptiveScales:
        """These scales as a state that can draw a band (its step draws nothing)."""
        return AdaptiveScales(
            level=level, step=DEFAULT_CALIBRATION_STEP, scales=self.scales, updates=self.outcomes
        )


def calibrated(forecast: Forecast, state: AdaptiveScales) -> Forecast:
    """``forecast`` with its band rescaled by ``state`` and its body saying so. A state that has
    learned nothing yet leaves the fit-time band exactly as it is; a point forecast is returned
    as it is."""
    if forecast.lower is None or forecast.upper is None:
        return forecast
    lower, upper = forecast.lower, forecast.upper
    if state.updates:
        lower, upper = state.band(forecast.values, lower, upper)
    extra = {**forecast.extra, **BandCalibration.of(state).fields()}
    return replace(forecast, lower=lower, upper=upper, extra=extra)


# --------------------------------------------------------------------------------------------
# The stored state (calibration.json)


def start_of_serving(served: Iterable[LedgerRow], version: str) -> dt.date:
    """The first day whose served forecast may feed ``version``'s new state: the day after the
    newest served forecast of another version (a rollback does not resume its old record)."""
    others = [row.as_of for row in served if row.version != version]
    return max(others) + dt.timedelta(days=1) if others else dt.date.min


class CalibrationState(ClosedDocument):
    """``forecasts/<ticker>/calibration.json``: the served version's adaptive scales."""

    kind: ClassVar[str] = "calibration state"

    ticker: str
    version: str = Field(description="The served version these scales adapt")
    since: dt.date = Field(description="Its served forecasts made from this day on feed it")
    adaptive: AdaptiveScales
    applied: dict[dt.date, list[int]] = Field(
        default_factory=dict,
        description="Per served forecast (as_of), the horizon days already applied",
    )

    @model_validator(mode="after")
    def _check_scales(self) -> Self:
        state = self.adaptive
        if not 0.0 < state.level < 1.0 or not state.step > 0.0:
            raise ValueError("the level must be in (0, 1) and the step positive")
        if not state.scales or not all(math.isfinite(s) and s > 0 for s in state.scales):
            raise ValueError("the scales must be positive and finite, one per horizon day")
        return self

    @classmethod
    def fresh(
        cls, ticker: str, version: str, since: dt.date, level: float, horizon: int, step: float
    ) -> CalibrationState:
        """The fit-time calibration of a version that starts serving."""
        scales = AdaptiveScales.fresh(level, horizon, step)
        return cls(ticker=ticker, version=version, since=since, adaptive=scales)

    def pending(
        self, served: Iterable[LedgerRow]
    ) -> tuple[list[Outcome], dict[dt.date, list[int]]]:
        """The matured outcomes of ``served`` not applied yet (oldest forecast first), and
        ``applied`` once they are."""
        applied = {day: list(days) for day, days in self.applied.items()}
        outcomes: list[Outcome] = []
        for row in sorted(served, key=lambda r: r.as_of):
            if row.version != self.version or row.as_of < self.since or not row.inside_days:
                continue
            done = applied.get(row.as_of, [])
            new = [h for h, inside in _realized(row.inside_days) if h not in done]
            if new:
                outcomes += [Outcome(h, not row.inside_days[h]) for h in new]
                applied[row.as_of] = sorted([*done, *new])
        return outcomes, applied

    def updated(
        self, served: Sequence[LedgerRow], *, step: float, keep_from: dt.date
    ) -> CalibrationState:
        """The state after every matured outcome of ``served`` not applied yet (with ``step``,
        the setting of the day); entries of forecasts from before ``keep_from`` (pruned) go."""
        outcomes, applied = self.pending(served)
        adaptive = (
            replace(self.adaptive, step=step).updated(outcomes) if outcomes else self.adaptive
        )
        kept = {day: days for day, days in sorted(applied.items()) if day >= keep_from}
        return self.model_copy(update={"adaptive": adaptive, "applied": kept})


def _realized(inside_days: Sequence[bool | None]) -> list[tuple[int, bool]]:
    return [(h, inside) for h, inside in enumerate(inside_days) if inside is not None]
