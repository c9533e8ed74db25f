"""The promotion gate: does a freshly trained challenger replace the serving champion?

The rule, in order:

1. A challenger that fails the sanity check (non-finite forecasts, LiteRT parity) never serves.
2. The first model of a ticker is promoted once it is sane: anything beats "no model" (its
   reason still says when its interval misses its promise).
3. A challenger with an interval whose backtest coverage misses its nominal level by more than
   ``coverage_tolerance`` is refused, whatever its MAPE: a band that says 80% and holds 60% would
   mislead every user who reads it. The coverage judged is the one after adaptive calibration
   (the band users are served adapts to the outcomes as they mature; the backtest replays that),
   when the backtest has it; every reason says which coverage it was, beside the fit-time one.
   A point challenger (the book architecture) skips this rule.
4. Otherwise challenger and champion are compared on the same backtest origins where *neither*
   saw the answers (forecast days after the champion's training data). With at least
   ``min_weeks`` such origins the MAPEs are compared directly; the challenger wins ties
   (it has seen fresher data) and may be worse by ``margin`` (relative).
5. With fewer clean origins (the usual weekly case: one new week) the gate compares skill
   against persistence instead: the challenger's over the whole window against the skill the
   champion earned on its own out-of-sample window when it was published. Skill divides out how
   volatile each window was, which raw MAPE over different weeks would not.

Every decision also records how both models compare with persistence. A ``continue``
challenger's reason says that its backtest figures are optimistic: its backtest fit starts from
the champion's weights, which were trained on most of that window, so only rule 4's
unseen weeks judge it cleanly (the ``new`` strategy, the default, fits before the window).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

MIN_CLEAN_WEEKS = 4
DEFAULT_COVERAGE_TOLERANCE = 0.10
WARM_START_CAVEAT = (
    "optimistic: strategy continue warm-starts the backtest from the champion, "
    "whose weights saw most of the window"
)


@dataclass(frozen=True)
class GateDecision:
    """Whether to promote, why, and on what evidence."""

    promote: bool
    reason: str
    basis: str
    challenger: float | None = None
    champion: float | None = None
    persistence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decide(
    *,
    sane: bool,
    sanity_problem: str = "",
    challenger_mape: float,
    challenger_skill: float,
    persistence_mape: float,
    champion_version: str | None = None,
    clean_weeks: int = 0,
    clean_challenger_mape: float | None = None,
    clean_champion_mape: float | None = None,
    champion_recorded_skill: float | None = None,
    margin: float = 0.0,
    min_weeks: int = MIN_CLEAN_WEEKS,
    challenger_coverage: float | None = None,
    interval_level: float | None = None,
    coverage_tolerance: float = DEFAULT_COVERAGE_TOLERANCE,
    fit_time_coverage: float | None = None,
    warm_started: bool = False,
) -> GateDecision:
    """Apply the rule above; every branch says in plain words what decided it.

    ``challenger_coverage`` is the coverage judged: after adaptive calibration when
    ``fit_time_coverage`` (the band's before adaptation) is given too, else the fit-time one.
    ``warm_started``: the challenger's backtest fit started from the champion's weights.
    """
    versus = _versus(persistence_mape, challenger_skill, warm_started)
    if not sane:
        return GateDecision(False, f"sanity check failed: {sanity_problem}", "sanity")
    miss, held = _interval_verdict(
        challenger_coverage, fit_time_coverage, interval_level, coverage_tolerance
    )
    versus += held
    if champion_version is None:
        return _first_model(challenger_mape, persistence_mape, versus, miss)
    if miss:
        return _refused_on_coverage(miss, versus, challenger_coverage, persistence_mape)
    if clean_weeks >= min_weeks and clean_challenger_mape is not None and clean_champion_mape:
        return _on_unseen_weeks(
            champion_version,
            clean_weeks,
            clean_challenger_mape,
            clean_champion_mape,
            margin,
            persistence_mape,
            versus,
        )
    return _on_recorded_skill(
        champion_version,
        challenger_skill,
        champion_recorded_skill,
        clean_weeks,
        margin,
        persistence_mape,
        versus,
    )


def _refused_on_coverage(
    miss: str, versus: str, coverage: float | None, persistence_mape: float
) -> GateDecision:
    """Rule 3: a band that misses its promise is refused, whatever the MAPE."""
    return GateDecision(
        False,
        f"{miss}: the interval does not keep its promise; {versus}",
        "coverage",
        challenger=coverage,
        persistence=persistence_mape,
    )


def _versus(persistence_mape: float, challenger_skill: float, warm_started: bool) -> str:
    """How the challenger compares with persistence, said in every reason."""
    said = f"persistence MAPE {persistence_mape:.2f}%, challenger skill {challenger_skill:+.3f}"
    return f"{said} ({WARM_START_CAVEAT})" if warm_started else said


def _interval_verdict(
    coverage: float | None, fit_time: float | None, level: float | None, tolerance: float
) -> tuple[str | None, str]:
    """Rule 3's verdict: why the interval misses (None: it does not, or there is none), and
    what every other reason says of the coverage judged ("" without an interval)."""
    phrase = coverage_phrase(coverage, fit_time)
    miss = coverage_miss(coverage, level, tolerance, phrase)
    if phrase is None or level is None or miss:
        return miss, ""
    return None, f"; {phrase}, nominal {level:.0%}"


def _first_model(
    challenger_mape: float, persistence_mape: float, versus: str, miss: str | None
) -> GateDecision:
    """Rule 2: a sane first model serves, even when its interval misses (the reason says so)."""
    note = f"; but {miss} (promoted anyway: no model serves yet)" if miss else ""
    return GateDecision(
        True,
        f"first model: passes the sanity check; MAPE {challenger_mape:.2f}% ({versus}){note}",
        "first model",
        challenger=challenger_mape,
        persistence=persistence_mape,
    )


def _on_unseen_weeks(
    champion: str,
    weeks: int,
    challenger_mape: float,
    champion_mape: float,
    margin: float,
    persistence_mape: float,
    versus: str,
) -> GateDecision:
    """Rule 4: both models' MAPE on the weeks neither trained on; ties to the challenger."""
    better = challenger_mape <= champion_mape * (1.0 + margin)
    verdict = "not worse than" if better else "worse than"
    return GateDecision(
        better,
        f"challenger MAPE {challenger_mape:.2f}% is {verdict} champion {champion}"
        f" {champion_mape:.2f}% (margin {margin:.0%}) on {weeks} weeks neither trained on; "
        f"{versus}",
        "mape on unseen weeks",
        challenger=challenger_mape,
        champion=champion_mape,
        persistence=persistence_mape,
    )


def _on_recorded_skill(
    champion: str,
    challenger_skill: float,
    champion_skill: float | None,
    weeks: int,
    margin: float,
    persistence_mape: float,
    versus: str,
) -> GateDecision:
    """Rule 5: the challenger's skill against the skill the champion earned when published
    (a champion without one has nothing to beat)."""
    if champion_skill is None:
        return GateDecision(
            True,
            f"champion {champion} has no recorded skill to beat; {versus}",
            "no champion metrics",
            challenger=challenger_skill,
            persistence=persistence_mape,
        )
    better = challenger_skill >= champion_skill - margin * abs(champion_skill)
    verdict = "not worse than" if better else "worse than"
    return GateDecision(
        better,
        f"challenger skill {challenger_skill:+.3f} is {verdict} champion {champion} "
        f"skill {champion_skill:+.3f} (only {weeks} unseen weeks, so skill vs "
        f"persistence on each one's own window decides); {versus}",
        "skill vs persistence",
        challenger=challenger_skill,
        champion=champion_skill,
        persistence=persistence_mape,
    )


def coverage_phrase(coverage: float | None, fit_time: float | None = None) -> str | None:
    """How the reasons name the coverage judged (None: the challenger has no interval)."""
    if coverage is None:
        return None
    if fit_time is None:
        return f"challenger coverage {coverage:.1%}"
    return (
        f"challenger coverage {coverage:.1%} after adaptive calibration (fit-time {fit_time:.1%})"
    )


def coverage_miss(
    coverage: float | None, level: float | None, tolerance: float, phrase: str | None = None
) -> str | None:
    """Why a challenger's interval misses its level by more than ``tolerance`` (None: it does
    not, or the challenger has no interval); ``phrase`` names the coverage."""
    if coverage is None or level is None:
        return None
    gap = coverage - level
    if abs(gap) <= tolerance:
        return None
    side = "below" if gap < 0 else "above"
    return (
        f"{phrase or coverage_phrase(coverage)} is {abs(gap):.1%} {side} its nominal "
        f"{level:.0%} (tolerance {tolerance:.0%})"
    )
