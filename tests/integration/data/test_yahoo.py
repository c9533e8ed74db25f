"""The Yahoo source end to end through real yfinance, against recorded HTTP responses.

Only the transport is replaced (see tests/fixtures/yahoo/replay.py): cookie/crumb handshake,
timezone probe, JSON parsing and yfinance's own error handling all run for real. Each test ends
by asserting that every request it made was answered by a recording.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import threading
import time
from typing import Any

import pandas as pd
import pytest
import yfinance._http
import yfinance.base
import yfinance.cache
import yfinance.data

from cryptonic.data import (
    DataUnavailableError,
    YahooPolicy,
    frame_calendar,
    infer_calendar,
    load_prices,
)
from cryptonic.data.calendar import find_gaps
from cryptonic.data.rate_limit import MinInterval
from cryptonic.data.yahoo import YahooRateLimitedError
from cryptonic.errors import DataError
from cryptonic.forecast.calendar import Sessions, next_dates
from cryptonic.forecast.freshness import last_expected_close, missing_closes
from tests.fixtures.yahoo.replay import Interaction, Replayer

BTC_PERIOD2 = "period2=1706745600"  # 2024-02-01 00:00 UTC: end=2024-01-31 made exclusive

# yfinance 1.7 itself still calls sort_index(inplace=True); not ours to fix. (yfinance is
# imported above, at collection: its import adds a warnings filter that would beat this one.)
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.sort_index")


@pytest.fixture
def policy(sleeps: list[float]) -> YahooPolicy:
    return YahooPolicy(
        attempts=3, base_delay=0.5, timeout=5.0, min_interval=0.0, sleep=sleeps.append
    )


def chart_requests(replayer: Replayer, ticker: str) -> int:
    return len(replayer.requests_to(f"/v8/finance/chart/{ticker}"))


# --- Yahoo answers ------------------------------------------------------------------------------


def test_btc_from_yahoo_equals_bundled_snapshot(yahoo: Replayer, policy: YahooPolicy) -> None:
    yahoo.load("btc_usd_2024_01.json")

    frame = load_prices("btc-usd", "2024-01-01", "2024-01-31", source="yahoo", policy=policy)

    bundled = load_prices("BTC-USD", "2024-01-01", "2024-01-31", source="bundled")
    pd.testing.assert_frame_equal(frame, bundled, check_exact=True)
    assert list(frame.columns) == ["date", "open", "high", "low", "close", "volume"]
    assert len(frame) == 31
    assert infer_calendar(frame) == "D"
    assert yahoo.requests_to(BTC_PERIOD2), "end is inclusive: yfinance must get end + 1 day"
    assert all(s.url.startswith("https://") for s in yahoo.seen)


def test_the_bar_of_today_is_unfinished_and_dropped(yahoo: Replayer, sleeps: list[float]) -> None:
    """Asked on 2024-01-31 (UTC), Yahoo's bar of that day is still moving: it is not a close."""
    yahoo.load("btc_usd_2024_01.json")
    during = YahooPolicy(
        attempts=1, min_interval=0.0, sleep=sleeps.append, today=lambda: dt.date(2024, 1, 31)
    )

    frame = load_prices("BTC-USD", "2024-01-01", "2024-01-31", source="yahoo", policy=during)

    assert frame["date"].iloc[-1] == pd.Timestamp("2024-01-30")
    assert len(frame) == 30


def test_stock_has_trading_day_calendar_and_raw_closes(
    yahoo: Replayer, policy: YahooPolicy
) -> None:
    yahoo.load("aapl_2024_01.json")

    frame = load_prices("AAPL", dt.date(2024, 1, 1), dt.date(2024, 1, 31), "yahoo", policy=policy)

    assert len(frame) == 21
    assert frame["date"].iloc[0] == pd.Timestamp("2024-01-02")
    assert pd.Timestamp("2024-01-15") not in set(frame["date"])  # MLK day: tolerated holiday
    assert (frame["date"].dt.day_of_week < 5).all()
    assert infer_calendar(frame) == "B"
    # auto_adjust=False: close is the traded close, not Yahoo's dividend-adjusted one.
    assert frame["close"].iloc[0] == pytest.approx(185.64, abs=1e-4)
    assert frame["date"].dt.tz is None
    assert (frame["date"] == frame["date"].dt.normalize()).all()


def test_exchange_local_date_is_kept_east_of_utc(yahoo: Replayer, policy: YahooPolicy) -> None:
    # Tokyo bars sit at local midnight, the previous day in UTC: converting to UTC first
    # would shift every date back by one.
    yahoo.load("toyota_2024_01.json")

    frame = load_prices("7203.t", "2024-01-04", "2024-01-12", "yahoo", policy=policy)

    assert [d.date().isoformat() for d in frame["date"]] == [
        "2024-01-04",
        "2024-01-05",
        "2024-01-09",
        "2024-01-10",
        "2024-01-11",
        "2024-01-12",
    ]
    assert frame["close"].iloc[0] == 2599.5


@pytest.mark.parametrize(
    ("tz_lookups_so_far", "yahoo_said"),
    [(0, "Quote not found for symbol: ZZZZNOTREAL"), (2, "possibly delisted; no timezone found")],
    ids=["via-quoteSummary", "tz-missing"],
)
@pytest.mark.parametrize("source", ["yahoo", "auto"])
def test_unknown_ticker_is_no_prices_without_retry(
    yahoo: Replayer,
    policy: YahooPolicy,
    sleeps: list[float],
    monkeypatch: pytest.MonkeyPatch,
    tz_lookups_so_far: int,
    yahoo_said: str,
    source: str,
) -> None:
    # yfinance asks quoteSummary for the timezone only twice per process; cover both paths.
    monkeypatch.setattr(yfinance.base, "_tz_info_fetch_ctr", tz_lookups_so_far)
    yahoo.load("unknown_ticker.json")

    with pytest.raises(DataError, match="no prices for 'ZZZZNOTREAL'") as caught:
        load_prices("zzzznotreal", "2024-01-01", "2024-01-31", source, policy=policy)

    assert not isinstance(caught.value, DataUnavailableError)
    assert "unknown ticker or no data in range" in str(caught.value)
    assert yahoo_said in str(caught.value)
    assert sleeps == []
    assert chart_requests(yahoo, "ZZZZNOTREAL") >= 1


def test_gap_in_yahoo_data_is_an_error_not_a_fallback(
    yahoo: Replayer, caplog: pytest.LogCaptureFixture
) -> None:
    yahoo.load("btc_usd_2024_01_hole.json")

    with (
        caplog.at_level(logging.WARNING, logger="cryptonic.data"),
        pytest.raises(DataError, match="missing 1 day between 2024-01-09 and 2024-01-11"),
    ):
        load_prices("BTC-USD", "2024-01-01", "2024-01-31")

    assert not [r for r in caplog.records if "bundled" in r.getMessage()]


# --- Yahoo unreachable --------------------------------------------------------------------------


def test_connection_errors_are_retried_with_backoff(
    yahoo: Replayer, policy: YahooPolicy, sleeps: list[float]
) -> None:
    yahoo.fail()

    with pytest.raises(DataUnavailableError, match=r"after 3 attempts: ConnectionError"):
        load_prices("BTC-USD", "2024-01-01", "2024-01-31", source="yahoo", policy=policy)

    assert sleeps == [0.5, 1.0]
    assert chart_requests(yahoo, "BTC-USD") == 3


def test_transient_failure_then_success(
    yahoo: Replayer, policy: YahooPolicy, sleeps: list[float]
) -> None:
    yahoo.load("btc_usd_2024_01.json").fail("/v8/finance/chart/BTC-USD", times=1)

    frame = load_prices("BTC-USD", "2024-01-01", "2024-01-31", source="yahoo", policy=policy)

    assert len(frame) == 31
    assert sleeps == [0.5]


def test_yahoo_outage_page_is_retried_as_unavailable(
    yahoo: Replayer, policy: YahooPolicy, sleeps: list[float]
) -> None:
    # What Yahoo serves while it is down: an HTML page with status 503, not JSON.
    yahoo.interactions.insert(
        0,
        Interaction(
            method="GET",
            url="https://query2.finance.yahoo.com/v8/finance/chart/BTC-USD",
            params={"range": "1d", "interval": "1d"},
            status=503,
            headers={"content-type": "text/html; charset=utf-8"},
            body=b"<html><body><h1>Will be right back...</h1></body></html>",
        ),
    )

    with pytest.raises(DataUnavailableError, match="after 3 attempts"):
        load_prices("BTC-USD", "2024-01-01", "2024-01-31", source="yahoo", policy=policy)

    assert sleeps == [0.5, 1.0]


def test_auto_falls_back_to_bundled_for_btc(
    yahoo: Replayer, caplog: pytest.LogCaptureFixture
) -> None:
    yahoo.fail()

    with caplog.at_level(logging.WARNING, logger="cryptonic.data"):
        frame = load_prices("BTC-USD", "2024-01-01", "2024-01-31")

    expected = load_prices("BTC-USD", "2024-01-01", "2024-01-31", source="bundled")
    pd.testing.assert_frame_equal(frame, expected)
    warnings = [r for r in caplog.records if r.name == "cryptonic.data"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "using the bundled snapshot (2014-09-17..2026-10-05)" in warnings[0].getMessage()
    assert chart_requests(yahoo, "BTC-USD") == 1  # auto tries once: a fallback exists


def test_auto_reraises_for_a_ticker_that_is_not_bundled(yahoo: Replayer) -> None:
    yahoo.fail()

    with pytest.raises(DataUnavailableError, match="'AAPL'"):
        load_prices("AAPL", "2024-01-01", "2024-01-31")


def test_deadline_bounds_a_hanging_network(
    yahoo: Replayer, caplog: pytest.LogCaptureFixture
) -> None:
    yahoo.hang = threading.Event()
    quick = YahooPolicy(attempts=1, timeout=5.0, deadline=0.3, min_interval=0.0)

    began = time.monotonic()
    with pytest.raises(DataUnavailableError, match=r"did not answer for 'AAPL' within 0\.3 s"):
        load_prices("AAPL", "2024-01-01", "2024-01-31", "yahoo", policy=quick)
    with caplog.at_level(logging.WARNING, logger="cryptonic.data"):
        frame = load_prices("BTC-USD", "2024-01-01", "2024-01-31", "auto", policy=quick)
    elapsed = time.monotonic() - began

    assert len(frame) == 31
    assert "did not answer" in caplog.text
    assert elapsed < 3


def test_offline_switch_skips_yahoo_entirely(
    yahoo: Replayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRYPTONIC_OFFLINE", "1")

    frame = load_prices("BTC-USD", "2024-01-01", "2024-01-31")
    with pytest.raises(DataUnavailableError, match="CRYPTONIC_OFFLINE=1"):
        load_prices("BTC-USD", "2024-01-01", "2024-01-31", source="yahoo")
    with pytest.raises(DataUnavailableError, match="only BTC-USD works offline"):
        load_prices("AAPL", "2024-01-01", "2024-01-31")

    assert len(frame) == 31
    assert yahoo.seen == []


# --- Yahoo says slow down (429) -----------------------------------------------------------------
#
# yfinance 1.7 retries a chart request that answers 4xx once, at once, after switching cookie
# strategy, and raises YFRateLimitError (without the response) only when that second try is 429
# too. So the recordings count 429s in pairs, and the waits we assert are our backoff's alone.


class FakeTime:
    """A clock that only moves when someone sleeps; each sleeper's waits are kept apart."""

    def __init__(self) -> None:
        self.now = 0.0
        self.backoff: list[float] = []
        self.spacing: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep_backoff(self, seconds: float) -> None:
        self.backoff.append(seconds)
        self.now += seconds

    def sleep_spacing(self, seconds: float) -> None:
        self.spacing.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def polite(fake_time: FakeTime, **overrides: Any) -> YahooPolicy:
    """A policy on the fake clock with a fixed jitter draw of 0.5 (backoff factor 0.75)."""
    settings: dict[str, Any] = {
        "attempts": 1,
        "timeout": 5.0,
        "min_interval": 0.0,
        "rate_limit_retries": 4,
        "rate_limit_delay": 2.0,
        "max_rate_limit_wait": 30.0,
        "sleep": fake_time.sleep_backoff,
        "clock": fake_time.clock,
        "jitter": lambda: 0.5,
        "rate_bound": MinInterval(clock=fake_time.clock, sleep=fake_time.sleep_spacing),
    }
    return YahooPolicy(**(settings | overrides))


def tz_probes(replayer: Replayer) -> int:
    return len(replayer.requests_to("/v8/finance/chart/BTC-USD?range=1d"))


def test_one_429_is_absorbed_by_yfinance_own_second_try(
    yahoo: Replayer, fake_time: FakeTime
) -> None:
    probe = next(i for i in yahoo.load("btc_usd_2024_01.json").interactions if "range" in i.params)
    too_many = {"status": 429, "body": b"Too Many Requests\r\n", "times": 1}
    yahoo.interactions.insert(0, Interaction(**(vars(probe) | too_many)))

    frame = load_prices("BTC-USD", "2024-01-01", "2024-01-31", "yahoo", policy=polite(fake_time))

    assert len(frame) == 31
    assert tz_probes(yahoo) == 2
    assert fake_time.backoff == []


def test_429s_then_200_backs_off_exponentially_and_succeeds(
    yahoo: Replayer, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    yahoo.load("btc_usd_429_then_ok.json", "btc_usd_2024_01.json")

    with caplog.at_level(logging.WARNING, logger="cryptonic.data"):
        frame = load_prices(
            "BTC-USD", "2024-01-01", "2024-01-31", "yahoo", policy=polite(fake_time)
        )

    assert len(frame) == 31
    # 2 s and 4 s, times the jitter factor 0.75; a 429 spends no attempt (attempts=1 here).
    assert fake_time.backoff == [1.5, 3.0]
    assert tz_probes(yahoo) == 5
    messages = [r.getMessage() for r in caplog.records if r.name == "cryptonic.data"]
    assert messages == [
        "Yahoo Finance rate-limited 'BTC-USD' (HTTP 429); retry 1/4 in 1.5 s",
        "Yahoo Finance rate-limited 'BTC-USD' (HTTP 429); retry 2/4 in 3 s",
    ]


def test_429_for_ever_gives_up_after_the_retry_budget(yahoo: Replayer, fake_time: FakeTime) -> None:
    yahoo.load("btc_usd_429_then_ok.json", "btc_usd_2024_01.json")

    with pytest.raises(DataUnavailableError) as caught:
        load_prices(
            "BTC-USD",
            "2024-01-01",
            "2024-01-31",
            "yahoo",
            policy=polite(fake_time, rate_limit_retries=1, attempts=3),
        )

    assert isinstance(caught.value, YahooRateLimitedError)
    assert str(caught.value) == (
        "Yahoo Finance rate-limited 'BTC-USD' (HTTP 429 Too Many Requests) after 1 retry"
    )
    assert caught.value.retries == 1
    assert fake_time.backoff == [1.5]
    assert tz_probes(yahoo) == 4  # two fetches, each tried twice by yfinance; attempts unused


def test_retry_after_is_honoured_then_outgrown_by_the_backoff(
    yahoo: Replayer, fake_time: FakeTime
) -> None:
    yahoo.load("btc_usd_429_retry_after.json")

    with pytest.raises(YahooRateLimitedError) as caught:
        load_prices("BTC-USD", "2024-01-01", "2024-01-31", "yahoo", policy=polite(fake_time))

    # Never sooner than Yahoo's 7 s; the 4th backoff (16 s x 0.75 = 12 s) is longer still.
    assert fake_time.backoff == [7.0, 7.0, 7.0, 12.0]
    assert str(caught.value) == (
        "Yahoo Finance rate-limited 'BTC-USD' (HTTP 429 Too Many Requests) after 4 retries; "
        "last Retry-After 7 s"
    )
    assert caught.value.retry_after == 7.0
    assert tz_probes(yahoo) == 10


def test_retry_after_and_backoff_are_capped(yahoo: Replayer, fake_time: FakeTime) -> None:
    yahoo.load("btc_usd_429_retry_after.json")

    with pytest.raises(YahooRateLimitedError, match="after 3 retries"):
        load_prices(
            "BTC-USD",
            "2024-01-01",
            "2024-01-31",
            "yahoo",
            policy=polite(fake_time, rate_limit_retries=3, max_rate_limit_wait=5.0),
        )

    assert fake_time.backoff == [5.0, 5.0, 5.0]


def test_a_429_wait_that_would_pass_the_deadline_is_not_started(
    yahoo: Replayer, fake_time: FakeTime
) -> None:
    yahoo.load("btc_usd_429_retry_after.json")

    with pytest.raises(YahooRateLimitedError) as caught:
        load_prices(
            "BTC-USD",
            "2024-01-01",
            "2024-01-31",
            "yahoo",
            policy=polite(fake_time, deadline=10.0),
        )

    assert fake_time.backoff == [7.0]  # 7 s spent; 7 more would end at 14 s > 10 s
    assert str(caught.value) == (
        "Yahoo Finance rate-limited 'BTC-USD' (HTTP 429 Too Many Requests) after 1 retry; "
        "last Retry-After 7 s: waiting 7 s more would pass the 10 s deadline"
    )


def test_auto_falls_back_to_bundled_when_rate_limited(
    yahoo: Replayer, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    yahoo.load("btc_usd_429_retry_after.json")

    with caplog.at_level(logging.WARNING, logger="cryptonic.data"):
        frame = load_prices(
            "BTC-USD", "2024-01-01", "2024-01-31", policy=polite(fake_time, rate_limit_retries=0)
        )

    assert len(frame) == 31
    assert "rate-limited 'BTC-USD'" in caplog.text
    assert "using the bundled snapshot" in caplog.text
    assert fake_time.backoff == []


def test_every_request_of_consecutive_fetches_is_spaced_by_the_bound(
    yahoo: Replayer, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    yahoo.load("btc_usd_2024_01.json", "aapl_2024_01.json")
    started: list[float] = []
    answer = yahoo.request

    def timed(*args: Any, **kwargs: Any) -> Any:
        started.append(fake_time.now)
        return answer(*args, **kwargs)

    monkeypatch.setattr(yahoo, "request", timed)
    spaced = polite(fake_time, min_interval=1.5)

    load_prices("BTC-USD", "2024-01-01", "2024-01-31", "yahoo", policy=spaced)
    first_fetch = len(started)
    fake_time.now += 0.5  # the caller's own work between two fetches counts towards the gap
    load_prices("AAPL", "2024-01-01", "2024-01-31", "yahoo", policy=spaced)

    # Cookie, crumb, tz probe and chart; then tz probe and chart (the crumb is reused). The
    # recorded fc.yahoo.com sets no cookie, so yfinance asks it again before every request:
    # the bound covers yfinance's own requests too, not just one per fetch.
    assert yahoo.requests_to("getcrumb")
    assert (first_fetch, len(started)) == (6, 10)
    gaps = [later - earlier for earlier, later in itertools.pairwise(started)]
    assert gaps == [1.5] * 9
    assert fake_time.spacing == [1.5] * 5 + [1.0] + [1.5] * 3
    assert fake_time.backoff == []
    assert len(yahoo.seen) == len(started)


# --- Exchanges' holidays --------------------------------------------------------------------------


def test_tokyo_across_new_year_is_read_on_its_sessions(
    yahoo: Replayer, policy: YahooPolicy
) -> None:
    yahoo.load("toyota_2023_12_new_year.json")

    frame = load_prices("7203.T", "2023-12-25", "2024-01-12", "yahoo", policy=policy)

    dates = [d.date() for d in frame["date"]]
    assert dates[4:7] == [dt.date(2023, 12, 29), dt.date(2024, 1, 4), dt.date(2024, 1, 5)]
    assert len(dates) == 11
    calendar = frame_calendar(frame, "7203.T")
    assert isinstance(calendar, Sessions)
    assert calendar.exchange == "XTKS"
    # The refresh of Thursday 4 January (00:30 UTC) expects Friday's close: nothing is missing,
    # where the weekday rule counted 1 to 3 January (REFRESH_MAX_MISSED_DAYS=3: a page).
    expected = last_expected_close(dt.date(2024, 1, 4), calendar)
    assert expected == dt.date(2023, 12, 29)
    assert missing_closes(dt.date(2023, 12, 29), expected, calendar) == []
    assert next_dates(dt.date(2023, 12, 29), 3, calendar) == dates[5:8]


def test_shanghai_across_the_spring_festival_is_accepted(
    yahoo: Replayer, policy: YahooPolicy
) -> None:
    yahoo.load("moutai_2024_02_spring_festival.json")

    frame = load_prices("600519.SS", "2024-02-01", "2024-02-23", "yahoo", policy=policy)

    dates = [d.date() for d in frame["date"]]
    assert len(dates) == 11
    assert dates[5:7] == [dt.date(2024, 2, 8), dt.date(2024, 2, 19)]  # six weekdays closed
    assert frame["volume"].iloc[5] == 0.0  # Yahoo's null volume: yfinance makes it 0
    assert frame["close"].iloc[5] == 1688.0
    calendar = frame_calendar(frame, "600519.SS")
    assert next_dates(dt.date(2024, 2, 8), 1, calendar) == [dt.date(2024, 2, 19)]
    assert find_gaps(frame["date"], calendar) == []
