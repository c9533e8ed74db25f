"""Every source of the chain asked for the same prices, and how far their closes agree.

``cryptonic data check`` prints it for a ticker; the weekly retrain logs it (and records it in the
manifest) whenever more than one source answered, so a source drifting away from the others (a
wrong pair, a venue's outage prints, a changed day boundary) is seen before it is ever needed as
a fallback.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pandas as pd

from cryptonic.config import Settings, normalize_ticker
from cryptonic.data.agreement import Agreement, agreement
from cryptonic.data.exchange_candles import ExchangePolicy
from cryptonic.data.sources import (
    exchange_policy,
    load_prices,
    price_source,
    serves,
    steps_of,
    yahoo_policy,
)
from cryptonic.data.yahoo import YahooPolicy
from cryptonic.errors import DataError

log = logging.getLogger("cryptonic.data")


@dataclass(frozen=True)
class SourceAnswer:
    """What one source answered: its prices, or why there are none."""

    source: str
    frame: pd.DataFrame | None = None
    error: str | None = None

    def describe(self) -> str:
        if self.frame is None:
            return f"{self.source}: no prices ({self.error})"
        first, last = self.frame["date"].iloc[0].date(), self.frame["date"].iloc[-1].date()
        return f"{self.source}: {len(self.frame)} closes, {first}..{last}"


@dataclass(frozen=True)
class CrossCheck:
    """Each source's answer, and each other answer's agreement with the first one's."""

    ticker: str
    answers: tuple[SourceAnswer, ...]
    agreements: tuple[Agreement, ...]

    @property
    def reference(self) -> str | None:
        """The source the others are measured against: the first that answered."""
        return next((a.source for a in self.answers if a.frame is not None), None)

    def lines(self) -> list[str]:
        """The report, one line per source and per comparison."""
        out = [f"{self.ticker}: {len(self.answers)} source(s) asked"]
        out += [f"  {a.describe()}" for a in self.answers]
        out += [f"  {found.describe()}" for found in self.agreements]
        if self.reference is not None and not self.agreements:
            out.append("  no second source answered: nothing to compare")
        return out


def ask_each(
    ticker: str,
    start: dt.date | None,
    end: dt.date | None,
    chain: str,
    *,
    settings: Settings | None = None,
    quick: bool = False,
    policy: YahooPolicy | None = None,
    exchanges: ExchangePolicy | None = None,
) -> CrossCheck:
    """Ask every source of ``chain`` that serves ``ticker`` for ``start``..``end``, each on its
    own (``quick``: with the short deadlines of a source that has a fallback)."""
    symbol = normalize_ticker(ticker)
    answers: list[SourceAnswer] = []
    for step in steps_of(chain, symbol):
        if not serves(step.name, symbol):
            continue
        try:
            frame = load_prices(
                symbol,
                start,
                end,
                step.name,
                policy=policy or yahoo_policy("auto" if quick else step.name, settings),
                exchange_policy=exchanges or exchange_policy(quick, settings),
                settings=settings,
            )
        except DataError as exc:
            answers.append(SourceAnswer(step.name, error=str(exc)))
            continue
        answers.append(SourceAnswer(price_source(frame) or step.name, frame=frame))
    return CrossCheck(symbol, tuple(answers), _agreements(answers))


def cross_check_against(
    frame: pd.DataFrame,
    ticker: str,
    chain: str,
    *,
    settings: Settings | None = None,
) -> tuple[Agreement, ...]:
    """The retrain's check: ``frame`` (the prices it trains on) against every other source of
    the chain that answers quickly for the same days; logged, never raised (a fallback's
    trouble must not stop a retrain whose own source answered)."""
    source = price_source(frame)
    others = ",".join(s.name for s in steps_of(chain, normalize_ticker(ticker)) if s.name != source)
    if source is None or not others:
        return ()
    first, last = frame["date"].iloc[0].date(), frame["date"].iloc[-1].date()
    check = ask_each(ticker, first, last, others, settings=settings, quick=True)
    reference = SourceAnswer(source, frame=frame)
    found = _agreements([reference, *check.answers])
    for answer in check.answers:
        if answer.frame is None:
            log.info("cross-check %s: %s", ticker, answer.describe())
    for item in found:
        log.info("cross-check %s: %s", ticker, item.describe())
    return found


def _agreements(answers: list[SourceAnswer]) -> tuple[Agreement, ...]:
    answered = [a for a in answers if a.frame is not None]
    if len(answered) < 2:
        return ()
    reference = answered[0]
    assert reference.frame is not None
    return tuple(
        agreement(reference.frame, other.frame, reference.source, other.source)
        for other in answered[1:]
        if other.frame is not None
    )
