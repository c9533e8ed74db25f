"""A published version's manifest and a ticker's champion pointer, as typed models.

The pipeline writes a :class:`ManifestDraft`; the registry completes it into a :class:`Manifest`
(version id, sha256 and size of every artifact) and writes it last; serving, the CLI and the
retrain skip check read it back through :meth:`Manifest.parse`. One schema, so a field the
writer renames fails a test instead of reaching a reader as ``None``.

Unknown keys are kept (``extra="allow"``): a manifest written by a newer release still loads
here, and round-trips unchanged. Manifests written before these models existed load too
(tests/fixtures/manifests/manifest-0.1.json is one, written by release 0.1.0).

Importing this module stays cheap (pydantic only): the serving cold start reads manifests.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from pydantic import Field

from cryptonic.config import Arch, Strategy
from cryptonic.forecast.calendar import Calendar
from cryptonic.forecast.scores import Scores
from cryptonic.registry.documents import Document
from cryptonic.registry.keys import VERSION_PATTERN

# --------------------------------------------------------------------------------------------
# Sections


class ArtifactEntry(Document):
    """What the registry recorded of one artifact; every load is checked against it."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)


class ModelShape(Document):
    """The network's shape: what serving needs to run the ``.tflite``."""

    arch: Arch
    weeks: int = Field(ge=1)
    lookback: int = Field(ge=1)
    horizon: int = Field(ge=1)
    calendar: Calendar = "D"
    quantiles: list[float] | None = None  # the .tflite's last axis; None: a point model
    interval_level: float | None = None  # nominal coverage of [lowest, highest] quantile


class SourceCheck(Document):
    """Another source's closes against the snapshot's on their common days (the retrain's
    cross-check): relative differences, the worst day, the days one of them lacks."""

    source: str
    days: int = Field(ge=0)
    median: float | None = None
    worst: float | None = None
    worst_day: dt.date | None = None
    missing: int = Field(default=0, ge=0)


class DataInfo(Document):
    """The price snapshot it was trained on; ``sha256`` names the snapshot (skip check).

    ``source`` is the one source whose closes it is (``yahoo``, ``bitstamp``, ``bundled``, a
    CSV path; releases before the chain of sources wrote the ``DATA_SOURCE`` setting there, e.g.
    ``auto``). ``chain`` is the ``DATA_SOURCES`` it was asked from, ``passed_over`` why the
    sources before ``source`` did not answer (a fallback), ``cross_checks`` the other sources'
    agreement. All four are absent from manifests written before them."""

    source: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    rows: int | None = None
    sha256: str | None = None
    calendar: Calendar = "D"
    chain: list[str] | None = None
    passed_over: list[str] | None = None
    cross_checks: list[SourceCheck] | None = None


class RunConfig(Document):
    """What makes two trainings comparable (with the snapshot): equal config, same training."""

    model: dict[str, Any]
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    data_source: str
    backtest_weeks: int
    promotion_margin: float
    coverage_tolerance: float | None = None  # the gate's interval rule; None before intervals


class BacktestWindow(Document):
    start: dt.date | None = None
    end: dt.date | None = None
    weeks: int | None = None


class BacktestRecord(Document):
    """The backtest the gate read: the model against persistence (never alone), drift, the
    champion of the day on the same window when there was one."""

    window: BacktestWindow | None = None
    model: Scores | None = None
    persistence: Scores | None = None
    drift: Scores | None = None
    champion: Scores | None = None
    champion_version: str | None = None


class Calibration(Document):
    """How the interval was calibrated on windows the fit did not see (refreshed per retrain):
    each horizon day's quantile spread around the median is scaled by ``factors[h]``."""

    method: str
    level: float
    factors: list[float]
    windows: int
    coverage_before: float | None = None
    coverage_after: float | None = None


class ExportInfo(Document):
    """The LiteRT export's parity check against Keras."""

    parity_max_abs_diff: float
    windows_checked: int


class GateRecord(Document):
    """The promotion gate's decision and its reason (``basis``: which rule decided)."""

    promote: bool
    reason: str
    basis: str | None = None
    challenger: float | None = None
    champion: float | None = None
    persistence: float | None = None


# --------------------------------------------------------------------------------------------
# The manifest


class ManifestDraft(Document):
    """What a version says about itself, before the registry adds its id and artifact hashes."""

    ticker: str
    strategy: Strategy
    model: ModelShape
    data: DataInfo
    created_at: str | None = None  # the registry sets the publish time when None
    parent: str | None = None
    strategy_note: str | None = None
    app_version: str | None = None
    config: RunConfig | None = None
    training: dict[str, Any] | None = None
    export: ExportInfo | None = None
    metrics: BacktestRecord | None = None
    gate: GateRecord | None = None
    calibration: Calibration | None = None


class Manifest(ManifestDraft):
    """A published version's ``manifest.json``: a version exists once this object does."""

    kind: ClassVar[str] = "manifest"

    version: str = Field(pattern=VERSION_PATTERN.pattern)
    created_at: str
    artifacts: dict[str, ArtifactEntry]

    def to_json_bytes(self) -> bytes:
        """The stored form: sorted keys, indented. Only fields that were given are written, so a
        manifest read from an older release is written back exactly as it was."""
        body = self.model_dump(mode="json", exclude_unset=True)
        return (
            json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
        ).encode()


__all__ = [
    "ArtifactEntry",
    "BacktestRecord",
    "BacktestWindow",
    "Calibration",
    "DataInfo",
    "ExportInfo",
    "GateRecord",
    "Manifest",
    "ManifestDraft",
    "ModelShape",
    "RunConfig",
    "SourceCheck",
]
