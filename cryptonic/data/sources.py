"""``load_prices``: one call that walks the chain of sources, cuts the range and validates.

Training, backtests and the CLI all need "the daily prices of X from A to B" and must not care
whether they came from Yahoo, an exchange, the bundled snapshot or a CSV someone exported; they do
need every source to honour the same range and pass the same checks, which is what this module
guarantees.

``DATA_SOURCES`` names a chain, tried in order (``yahoo,bitstamp,kraken``). A source that does
not serve the ticker (an exchange and a stock, the bundled snapshot and anything but BTC-USD) is
passed by; one that cannot be asked (``DataUnavailableError``) hands over to the next. The first
source that serves the ticker answering with no or bad prices fails the load (a typo must not be
hidden behind another source's series); a fallback's bad answer hands over to the next fallback.
Every source but the chain's last applicable one is asked quickly, so that the whole chain fits
the function's timeout (:func:`chain_budget`).

The frame says where it came from in ``frame.attrs`` (read them with :func:`price_source` and
:func:`passed_over`): a model records which source fed it, and the refresh knows when a fallback
is feeding a model trained on another source.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from typing import Final

import pandas as pd

from cryptonic.config import (
    PRICE_EXCHANGES,
    Settings,
    get_settings,
    normalize_ticker,
    source_chain,
)
from cryptonic.data.bundled import BUNDLED_TICKER, load_bundled
from cryptonic.data.csv_folder import csv_in_folder, is_folder_source
from cryptonic.data.csvio import read_prices_csv
from cryptonic.data.exchange_candles import (
    LAST_EXCHANGE_POLICY,
    QUICK_EXCHANGE_POLICY,
    ExchangePolicy,
    fetch_exchange,
)
from cryptonic.data.fetching import OFFLINE_ENV, offline
from cryptonic.data.frame import standardize
from cryptonic.data.source_errors import DataUnavailableError, NotQuotedError
from cryptonic.data.validation import validate_prices
from cryptonic.data.yahoo import AUTO_POLICY, DEFAULT_POLICY, YahooPolicy, fetch_yahoo
from cryptonic.errors import DataError

log = logging.getLogger("cryptonic.data")

SOURCE_ATTR: Final = "source"
"""``frame.attrs`` key: the source that answered (``yahoo``, ``bitstamp``, ``bundled``, a path)."""
PASSED_OVER_ATTR: Final = "passed_over"
"""``frame.attrs`` key: ``"source: why"`` of each source that failed before it (a fallback)."""


@dataclass(frozen=True)
class Step:
    """One source to try for one ticker: ``quick`` when the chain has a fallback after it."""

    name: str
    quick: bool = False

    @property
    def origin(self) -> str:
        """How messages name the source."""
        if self.name == "yahoo":
            return "Yahoo Finance"
        if self.name == "bundled":
            return "the bundled snapshot"
        if self.name in PRICE_EXCHANGES:
            return f"the exchange {self.name}"
        return f"CSV file {self.name!r}"


def load_prices(
    ticker: str,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    source: str = "auto",
    min_rows: int | None = None,
    *,
    policy: YahooPolicy | None = None,
    exchange_policy: ExchangePolicy | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Validated daily prices of ``ticker`` from ``start`` to ``end`` (both inclusive).

    ``source`` is a chain of sources separated by commas (see the module doc), each ``yahoo``,
    an exchange of ``PRICE_EXCHANGES``, ``bundled`` (BTC-USD only), a path to a ``.csv`` file in
    Yahoo's layout, a folder of ``<TICKER>.csv`` files (a path ending in ``/``; tickers without
    a file there follow ``"auto"``), or ``"auto"``: Yahoo, falling back to the bundled snapshot
    for BTC-USD when Yahoo cannot be reached (never when Yahoo answers with bad or no data).
    ``policy`` and ``exchange_policy`` override how Yahoo and the exchanges are asked (tests
    inject a no-op sleep through them); without them the chain's position decides, with the
    politeness of ``settings`` (default: this process's).

    Returns columns ``date, open, high, low, close, volume`` (tz-naive midnight dates,
    float64 values), one row per trading day, ascending, with a RangeIndex, and in ``attrs``
    the source that answered and the ones that failed before it.
    """
    try:
        symbol = normalize_ticker(ticker)
    except ValueError as exc:
        raise DataError(str(exc)) from exc
    first = _as_date(start, "start")
    last = _as_date(end, "end")
    if first is not None and last is not None and first > last:
        raise DataError(f"start {first} is after end {last}: nothing to load")
    if min_rows is not None and min_rows < 1:
        raise DataError(f"min_rows must be at least 1, got {min_rows}")
    asker = _Asker(symbol, first, last, min_rows, policy, exchange_policy, settings)
    return asker.walk(steps_of(source, symbol))


def price_source(frame: pd.DataFrame) -> str | None:
    """The source that answered for a frame of :func:`load_prices` (None: made elsewhere)."""
    value = frame.attrs.get(SOURCE_ATTR)
    return str(value) if value is not None else None


def passed_over(frame: pd.DataFrame) -> tuple[str, ...]:
    """``"source: why"`` of each source that failed before the one that answered."""
    return tuple(str(v) for v in frame.attrs.get(PASSED_OVER_ATTR, ()))


def steps_of(source: str, symbol: str) -> list[Step]:
    """The sources to try for ``symbol``, in order: ``auto`` and a folder without the ticker's
    file expand to Yahoo then the bundled snapshot; each but the last is asked quickly."""
    try:
        chain = source_chain(source)
    except ValueError:
        raise DataError(
            f"unknown data source {source!r}: use auto, yahoo, bundled, an exchange "
            f"({', '.join(PRICE_EXCHANGES)}), a path ending in .csv or a folder ending in /"
        ) from None
    names: list[str] = []
    auto_yahoo = False  # ``auto`` has always asked Yahoo quickly, a fallback or not
    for name in chain:
        path = csv_in_folder(name, symbol) if is_folder_source(name) else None
        if path is not None:
            names.append(str(path))
        elif name == "auto" or is_folder_source(name):
            auto_yahoo = auto_yahoo or "yahoo" not in names
            names.extend(["yahoo", "bundled"])
        else:
            names.append(name)
    unique = list(dict.fromkeys(names))
    serving = [n for n in unique if serves(n, symbol)]
    return [
        Step(n, quick=(n == "yahoo" and auto_yahoo) or (n in serving and n != serving[-1]))
        for n in unique
    ]


def serves(name: str, symbol: str) -> bool:
    """Whether a source may have prices of ``symbol`` at all (decides who is last)."""
    if name == "bundled":
        return symbol == BUNDLED_TICKER
    if name in PRICE_EXCHANGES:
        from cryptonic.data.crypto_pairs import crypto_pair

        return crypto_pair(symbol) is not None
    return True


class _Asker:
    """One load: tries the steps in order, remembering why each one before the answer failed."""

    def __init__(
        self,
        symbol: str,
        first: dt.date | None,
        last: dt.date | None,
        min_rows: int | None,
        policy: YahooPolicy | None,
        exchange_policy: ExchangePolicy | None,
        settings: Settings | None,
    ) -> None:
        self.symbol, self.first, self.last, self.min_rows = symbol, first, last, min_rows
        self.policy, self.exchange_policy, self.settings = policy, exchange_policy, settings
        self.failed: list[str] = []
        self.errors: list[DataError] = []
        self.not_quoted: list[NotQuotedError] = []
        self.offline_skipped: list[str] = []
        """The sources not called because of CRYPTONIC_OFFLINE."""
        self.covered = ""

    def walk(self, steps: list[Step]) -> pd.DataFrame:
        for step in steps:
            try:
                frame = self._answer(step)
            except NotQuotedError as exc:
                self.not_quoted.append(exc)
                continue
            except DataUnavailableError as exc:
                self.failed.append(f"{step.name}: {exc}")
                self.errors.append(exc)
                continue
            except DataError as exc:
                if not self.failed:
                    raise  # the source that serves the ticker answered badly: say so
                self.failed.append(f"{step.name}: {exc}")
                self.errors.append(exc)
                continue
            self._note(step, frame)
            return frame
        raise self._none_answered(steps)

    def _answer(self, step: Step) -> pd.DataFrame:
        if offline() and (step.name == "yahoo" or step.name in PRICE_EXCHANGES):
            self.offline_skipped.append(step.name)
            raise NotQuotedError(f"{OFFLINE_ENV}=1: not calling {step.origin}")
        raw = self._fetch(step)
        self.covered = _coverage(raw, self.symbol)
        frame = _within(standardize(raw, ticker=self.symbol), self.first, self.last)
        if frame.empty:
            raise DataError(
                f"no prices for {self.symbol!r} from {self.first or 'the first day'} to "
                f"{self.last or 'the last'} in {step.origin} (it covers {self.covered})"
            )
        return validate_prices(
            frame, ticker=self.symbol, min_rows=self.min_rows, start=self.first, end=self.last
        )

    def _fetch(self, step: Step) -> pd.DataFrame:
        symbol, first, last = self.symbol, self.first, self.last
        if step.name == "bundled":
            return load_bundled(symbol)
        if step.name == "yahoo":
            base = AUTO_POLICY if step.quick else DEFAULT_POLICY
            return fetch_yahoo(symbol, first, last, self.policy or _polite(base, self.settings))
        if step.name in PRICE_EXCHANGES:
            policy = self.exchange_policy or exchange_policy(step.quick, self.settings)
            return fetch_exchange(step.name, symbol, first, last, policy)
        return read_prices_csv(step.name, ticker=symbol)

    def _note(self, step: Step, frame: pd.DataFrame) -> None:
        frame.attrs[SOURCE_ATTR] = step.name
        frame.attrs[PASSED_OVER_ATTR] = tuple(self.failed)
        if self.failed or (self.offline_skipped and step.name == "bundled"):
            why = "; ".join(self.failed) or f"{OFFLINE_ENV}=1"
            log.warning(
                "%s: %s; using %s (%s) instead",
                self.symbol,
                why,
                step.origin,
                self.covered,
            )

    def _none_answered(self, steps: list[Step]) -> DataError:
        if len(self.errors) == 1:
            return self.errors[0]  # the one source that serves the ticker: its own words
        if self.failed:
            names = ", ".join(s.name for s in steps)
            return DataUnavailableError(
                f"no price source answered for {self.symbol!r} ({names}): " + "; ".join(self.failed)
            )
        if self.offline_skipped:
            if any(s.name == "bundled" for s in steps):  # asked, and it has not this ticker
                return DataUnavailableError(
                    f"{OFFLINE_ENV}=1 and {self.symbol!r} is not bundled: only "
                    f"{BUNDLED_TICKER} works offline"
                )
            return DataUnavailableError(
                f"{OFFLINE_ENV}=1: {', '.join(self.offline_skipped)} not called for "
                f"{self.symbol!r}; offline, only the bundled snapshot ({BUNDLED_TICKER}, source "
                "`bundled`) and CSV files answer"
            )
        if len(self.not_quoted) == 1:
            return self.not_quoted[0]
        return DataError(
            f"no source of {', '.join(s.name for s in steps)} serves {self.symbol!r}: "
            + "; ".join(str(e) for e in self.not_quoted)
        )


def yahoo_policy(source: str, settings: Settings | None = None) -> YahooPolicy:
    """How to ask Yahoo for ``source``, with this deployment's politeness settings.

    ``"auto"`` (a fallback may exist) starts from ``AUTO_POLICY``, anything else from the patient
    ``DEFAULT_POLICY``; both take ``YAHOO_MIN_INTERVAL_SECONDS`` (the process-wide spacing of
    Yahoo requests) and ``YAHOO_MAX_RETRIES`` (retries of a 429) from ``settings``, by default the
    process's ``get_settings()``, so every fanned-out retrain invocation is polite the same way
    without each caller having to thread the values through.
    """
    return _polite(AUTO_POLICY if source == "auto" else DEFAULT_POLICY, settings)


def _polite(base: YahooPolicy, settings: Settings | None) -> YahooPolicy:
    settings = settings or get_settings()
    return replace(
        base,
        min_interval=settings.yahoo_min_interval_seconds,
        rate_limit_retries=settings.yahoo_max_retries,
    )


def exchange_policy(quick: bool, settings: Settings | None = None) -> ExchangePolicy:
    """How to ask an exchange: quickly when a fallback follows, with the deployment's spacing."""
    settings = settings or get_settings()
    base = QUICK_EXCHANGE_POLICY if quick else LAST_EXCHANGE_POLICY
    return replace(base, min_interval=settings.exchange_min_interval_seconds)


def chain_budget(source: str, symbol: str) -> float:
    """The longest a load of ``symbol`` from ``source`` can wait on the network, in seconds:
    the sum of the deadlines of the sources that serve it (what a function's timeout must fit)."""
    total = 0.0
    for step in steps_of(source, symbol):
        if not serves(step.name, symbol):
            continue
        if step.name == "yahoo":
            deadline = (AUTO_POLICY if step.quick else DEFAULT_POLICY).deadline
            total += deadline or 0.0
        elif step.name in PRICE_EXCHANGES:
            total += (QUICK_EXCHANGE_POLICY if step.quick else LAST_EXCHANGE_POLICY).deadline
    return total


def _within(frame: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["date"] >= pd.Timestamp(start)
    if end is not None:
        keep &= frame["date"] <= pd.Timestamp(end)
    return frame.loc[keep].reset_index(drop=True)


def _coverage(raw: pd.DataFrame, symbol: str) -> str:
    dates = standardize(raw, ticker=symbol)["date"]
    return f"{dates.min().date()}..{dates.max().date()}"


def _as_date(value: dt.date | str | None, name: str) -> dt.date | None:
    """``None``, a date, or an ISO ``YYYY-MM-DD`` string (what env vars and the CLI give)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DataError(f"{name}={value!r} is not a date: use YYYY-MM-DD") from None
