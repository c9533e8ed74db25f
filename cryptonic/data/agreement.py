"""How far two sources' daily closes agree, on the days both have.

A model is trained on one source's closes. Feeding it another source's closes is only sound when
the two series are the same series up to noise: same pair, same currency, same day boundary.
Yahoo's BTC-USD close is the UTC-day close of an aggregate of exchanges; an exchange's daily
candle closes at the same instant on one venue, so the two differ by a fraction of a percent (see
``SOURCE_TOLERANCE`` in cryptonic.config for the figures). A wrong pair, a wrong currency or a
day boundary shifted by hours shows up as percent-sized differences, which is what the check
refuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from cryptonic.data.source_errors import SourcesDisagreeError

MIN_OVERLAP: Final = 7
"""Common days a cross-check needs before it vouches for a fallback: a week of closes."""
SHOWN: Final = 5


@dataclass(frozen=True)
class Agreement:
    """``other``'s closes against ``reference``'s on their overlap (relative differences)."""

    reference: str
    other: str
    days: int
    """Days both sources have."""
    median: float | None
    worst: float | None
    worst_day: dt.date | None
    missing: tuple[dt.date, ...]
    """Days inside the common range that one source has and the other lacks."""

    def describe(self) -> str:
        """One line for logs and the CLI, e.g. ``bitstamp vs yahoo: 58 days, median 0.021%,
        worst 0.327% on 2025-02-26, 0 days missing``."""
        head = f"{self.other} vs {self.reference}: {self.days} common days"
        if self.median is None or self.worst is None:
            return f"{head}, nothing to compare"
        missing = f"{len(self.missing)} day{'' if len(self.missing) == 1 else 's'} missing"
        if self.missing:
            shown = ", ".join(d.isoformat() for d in self.missing[:SHOWN])
            missing += f" ({shown}{', ...' if len(self.missing) > SHOWN else ''})"
        return (
            f"{head}, median {self.median:.3%}, worst {self.worst:.3%} on {self.worst_day}, "
            f"{missing}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO strings), for the manifest and ``data check --json``."""
        out = asdict(self)
        out["worst_day"] = self.worst_day.isoformat() if self.worst_day else None
        out["missing"] = [d.isoformat() for d in self.missing]
        return out


def agreement(
    reference: pd.DataFrame, other: pd.DataFrame, reference_name: str, other_name: str
) -> Agreement:
    """The agreement of ``other``'s closes with ``reference``'s (both standardized frames)."""
    ref = _closes(reference)
    oth = _closes(other)
    common = ref.index.intersection(oth.index)
    if common.empty:
        return Agreement(reference_name, other_name, 0, None, None, None, ())
    lo, hi = max(ref.index.min(), oth.index.min()), min(ref.index.max(), oth.index.max())
    ref_in = ref.index[(ref.index >= lo) & (ref.index <= hi)]
    oth_in = oth.index[(oth.index >= lo) & (oth.index <= hi)]
    missing = tuple(sorted(d.date() for d in ref_in.symmetric_difference(oth_in)))
    diff = (oth[common] / ref[common] - 1.0).abs().to_numpy()
    worst_at = int(diff.argmax())
    return Agreement(
        reference=reference_name,
        other=other_name,
        days=len(common),
        median=float(np.median(diff)),
        worst=float(diff[worst_at]),
        worst_day=common[worst_at].date(),
        missing=missing,
    )


def require_agreement(found: Agreement, tolerance: float, min_days: int = MIN_OVERLAP) -> None:
    """Raise ``SourcesDisagreeError`` naming both sources and the worst day unless ``other``'s
    closes agree with ``reference``'s within ``tolerance`` on at least ``min_days`` days."""
    if found.days < min_days or found.worst is None:
        raise SourcesDisagreeError(
            f"cannot vouch for {found.other}'s closes as a stand-in for {found.reference}'s: "
            f"only {found.days} common days (need {min_days})"
        )
    if found.worst > tolerance:
        raise SourcesDisagreeError(
            f"{found.other}'s closes disagree with {found.reference}'s: {found.worst:.3%} on "
            f"{found.worst_day} (median {found.median:.3%} over {found.days} common days; "
            f"SOURCE_TOLERANCE={tolerance:g}): not feeding a model trained on {found.reference} "
            f"with {found.other}'s closes"
        )


def _closes(frame: pd.DataFrame) -> pd.Series:
    dates = pd.DatetimeIndex(frame["date"]).normalize()
    closes = pd.Series(frame["close"].to_numpy(dtype="float64"), index=dates)
    return closes[~closes.index.duplicated(keep="last")].sort_index()
