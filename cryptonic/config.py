"""The one typed settings object, read from the environment.

The textbook's names (``BITCOIN_START_DATE``, ``MODEL_NAME``) stay accepted as aliases so that an
old deployment keeps its meaning. Importing this module must stay cheap: the serving Lambda reads
it on cold start.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Final, Literal, TypeGuard, get_args

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TICKER_PATTERN = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,19}$")
"""Yahoo symbols: BTC-USD, AAPL, BRK-B, ^GSPC, EURUSD=X. Upper case after normalization."""

LOCAL_STORE_DIR: Final = ".cryptonic"
"""Folder of the default local store, relative to where cryptonic runs (``cryptonic train``
saves its ``.keras`` files there too)."""
DEFAULT_STORE_URI: Final = f"file://./{LOCAL_STORE_DIR}"
"""Where models go when ``STORE_URI`` is unset: a folder under the working directory, so a local
``make run`` needs no AWS account."""
REFRESH_MINUTE: Final = 30
"""Minute of ``REFRESH_HOUR_UTC`` at which the daily refresh runs (template.yaml uses the same)."""
PRICE_EXCHANGES: Final = ("bitstamp", "kraken")
"""Exchanges a ``DATA_SOURCES`` chain may name for crypto pairs: public daily candles through
ccxt, no key, UTC days. Bitstamp serves the whole history (1,000 days a request); Kraken only its
latest 720 days, enough for the refresh's window, not for a first training."""
SINGLE_SOURCES: Final = ("auto", "yahoo", "bundled")
"""The named sources that are not exchanges (besides CSV files and folders)."""

Arch = Literal["default", "book"]
"""The network architectures: ours (``default``) and the textbook's (``book``)."""
ARCHS: Final[tuple[Arch, ...]] = get_args(Arch)
Strategy = Literal["new", "continue"]
Activation = Literal["tanh", "relu", "elu", "sigmoid"]
"""The LSTM cell activations the textbook's tuning chapter compares (tanh is Keras' default)."""
ACTIVATIONS: Final[tuple[Activation, ...]] = get_args(Activation)
Optimizer = Literal["adam", "rmsprop", "sgd"]
"""Optimizers of the default architecture (the book's stays rmsprop, to reproduce its numbers)."""
OPTIMIZERS: Final[tuple[Optimizer, ...]] = get_args(Optimizer)

DEFAULT_INTERVAL_LEVEL: Final = 0.8
"""Nominal coverage of the served interval: 80% of realized closes should fall inside."""
DEFAULT_QUANTILES: Final[tuple[float, ...]] = (0.1, 0.5, 0.9)
"""The quantile levels the default model forecasts: the 80% interval's ends and the median."""
DEFAULT_CALIBRATION_STEP: Final = 0.05
"""Step of the adaptive calibration per matured outcome (cryptonic.forecast.adaptive): each day,
each horizon day's log band scale moves by 0.05 x 0.8 after a miss and 0.05 x -0.2 after a hit.
Researched (bench/calibration_step.py, BENCHMARKS.md) against the goals of 80% coverage within 5
points and a pinball loss at most 0.5% worse than the fit-time band's, over 104 weekly origins.
On 24 synthetic series x 2 bands (the default model's, persistence's) the steps 0.005 .. 0.2 met
both on 22, 28, 35 (0.02), 38, 39, 40 (0.05), 41 (0.06), 38, 33 and 19 (0.2) of 48 (the fit-time
band: 12); on 9 real series x 2 (BTC, S&P 500, NASDAQ, WTI) 0.03 to 0.05 met both on 16 of 18,
0.06 on 15 (fit-time: 6): of the steps within one band of the synthetic best, the real series
favour 0.05. Smaller steps leave a wrong band wrong for months; larger ones shake the band on
every outcome and cost pinball in calm markets."""


def check_quantiles(levels: object, interval_level: float | None = None) -> tuple[float, ...]:
    """Quantile levels a model can forecast, ascending, or ValueError saying what is wrong.

    The median (0.5) must be one of them (it is the point forecast) and the set symmetric around
    it, so [lowest, highest] is a central interval of level ``highest - lowest``; when
    ``interval_level`` is given, that must be its level.
    """
    try:
        values = tuple(float(v) for v in levels)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"quantiles must be numbers, got {levels!r}") from exc
    if len(values) < 3 or list(values) != sorted(set(values)):
        raise ValueError(f"quantiles must be at least 3 distinct ascending levels, got {values}")
    if not all(0.0 < q < 1.0 for q in values):
        raise ValueError(f"quantiles must lie strictly between 0 and 1, got {values}")
    if 0.5 not in values:
        raise ValueError(f"quantiles must include the median 0.5, got {values}")
    if any(abs(lo + hi - 1.0) > 1e-9 for lo, hi in zip(values, reversed(values), strict=True)):
        raise ValueError(f"quantiles must be symmetric around 0.5 (q and 1 - q), got {values}")
    if interval_level is not None and abs(values[-1] - values[0] - interval_level) > 1e-9:
        raise ValueError(
            f"quantiles {values} span a {values[-1] - values[0]:g} interval, but INTERVAL_LEVEL is "
            f"{interval_level:g}: the lowest and highest must be {(1 - interval_level) / 2:g} and "
            f"{(1 + interval_level) / 2:g}"
        )
    return values


def interval_quantiles(interval_level: float) -> tuple[float, ...]:
    """The default levels for an interval: its two ends and the median."""
    low = round((1.0 - interval_level) / 2.0, 12)
    return (low, 0.5, round(1.0 - low, 12))


def is_arch(value: object) -> TypeGuard[Arch]:
    """Whether a name read from outside (a manifest, a flag) is an architecture we can build."""
    return value in ARCHS


def source_chain(value: str) -> tuple[str, ...]:
    """The sources a ``DATA_SOURCES`` (or ``DATA_SOURCE``) value names, in order, or ValueError.

    Each is ``auto``, ``yahoo``, ``bundled``, an exchange of ``PRICE_EXCHANGES``, a path to a
    ``.csv`` file or a folder of ``<TICKER>.csv`` files (ending in ``/``); commas separate them.
    """
    names = tuple(part.strip() for part in value.split(","))
    for name in names:
        if name in SINGLE_SOURCES or name in PRICE_EXCHANGES:
            continue
        if name and name.lower().endswith((".csv", "/", "\\")):
            continue
        raise ValueError(
            f"DATA_SOURCES={value!r}: {name!r} is not a source; use auto, yahoo, bundled, an "
            f"exchange ({', '.join(PRICE_EXCHANGES)}), a path to a CSV file or a folder of "
            "<TICKER>.csv files (ending in /), separated by commas"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"DATA_SOURCES={value!r} names a source twice")
    return names


def normalize_ticker(ticker: str) -> str:
    """Upper-case and check a ticker, so that ``btc-usd`` and ``BTC-USD`` name one store folder."""
    value = ticker.strip().upper()
    if not TICKER_PATTERN.match(value):
        raise ValueError(
            f"invalid ticker {ticker!r}: use a Yahoo Finance symbol such as BTC-USD or AAPL"
        )
    return value


@dataclass(frozen=True)
class VersionPins:
    """``MODEL_VERSION`` read: which tickers serve a chosen version instead of their champion.

    ``TICKER=VERSION`` pairs (``BTC-USD=20261123T192000Z-1a2b3c4,ETH-USD=...``) pin the tickers
    they name, and that version must be published: a ticker pinned to a version it does not have
    answers 503 rather than serve a model nobody chose. A bare version id (the book's
    ``MODEL_NAME``, from the days of one ticker) names no ticker, so it pins whichever ticker has
    published it: one read of that ticker's manifest decides, and a ticker without it keeps its
    champion. Every ticker not pinned serves its champion, in serving and in the daily refresh.

    Only the shape is checked here; each version id is checked where it is used
    (:func:`cryptonic.registry.keys.check_version`), so a malformed one fails the requests and runs
    of the tickers it concerns, not the whole service.
    """

    by_ticker: Mapping[str, str] = field(default_factory=dict)
    bare: str | None = None

    @classmethod
    def read(cls, value: str | None) -> VersionPins:
        """The pins of a ``MODEL_VERSION`` value (None or empty: none); ValueError saying what is
        wrong with it."""
        by_ticker: dict[str, str] = {}
        bare: str | None = None
        for part in re.split(r"[,\s]+", value or ""):
            if not part:
                continue
            ticker, sep, version = part.rpartition("=")  # EURUSD=X=<version>: tickers hold "="
            if not sep:
                if bare is not None and bare != part:
                    raise ValueError(
                        f"MODEL_VERSION names two versions without a ticker ({bare}, {part}): "
                        "a bare version id pins the ticker that has it, one at most; write "
                        "TICKER=VERSION for the others"
                    )
                bare = part
                continue
            if not ticker or not version:
                raise ValueError(
                    f"MODEL_VERSION: {part!r} is not TICKER=VERSION, e.g. "
                    "BTC-USD=20261123T192000Z-1a2b3c4"
                )
            name = normalize_ticker(ticker)
            if by_ticker.get(name, version) != version:
                raise ValueError(f"MODEL_VERSION pins {name} twice: {by_ticker[name]}, {version}")
            by_ticker[name] = version
        return cls(by_ticker, bare)

    def __bool__(self) -> bool:
        return bool(self.by_ticker) or self.bare is not None

    def version_for(self, ticker: str, published: Callable[[str], bool]) -> str | None:
        """The version pinned for ``ticker`` (normalized), None: its champion serves.

        ``published(version)`` says whether ``ticker`` has published a version; it is asked only
        of a bare id (one store request), never of a pair (whose version the caller loads, and
        must fail loudly on when it is missing).
        """
        named = self.by_ticker.get(ticker)
        if named is not None:
            return named
        if self.bare is not None and published(self.bare):
            return self.bare
        return None


class Settings(BaseSettings):
    """Everything configurable, with the env name each field is read from."""

    model_config = SettingsConfigDict(
        env_prefix="",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
        env_ignore_empty=True,  # `sam local` and CloudFormation !If leave empty strings behind
    )

    tickers: Annotated[list[str], NoDecode] = Field(
        default=["BTC-USD"],
        validation_alias=AliasChoices("TICKERS", "tickers"),
        description="Yahoo symbols, comma separated; the first is the default ticker. Scheduled "
        "runs add the store's tickers.json.",
    )
    start_date: dt.date | None = Field(
        default=None,
        validation_alias=AliasChoices("START_DATE", "BITCOIN_START_DATE", "start_date"),
        description="First day of training data; unset: all history.",
    )
    end_date: dt.date | None = Field(
        default=None,
        validation_alias=AliasChoices("END_DATE", "end_date"),
        description="Last day of data any job reads (reproducible runs); unset: the latest close.",
    )
    period_size: int = Field(
        default=7,
        ge=7,
        le=7,
        validation_alias=AliasChoices("PERIOD_SIZE", "period_size"),
        description="Forecast horizon in days (the model forecasts one week).",
    )
    epochs: int = Field(
        default=100,
        ge=1,
        le=10_000,
        validation_alias=AliasChoices("EPOCHS", "epochs"),
        description="Maximum training epochs (the default model stops early on its validation "
        "tail).",
    )
    arch: Arch = Field(
        default="default",
        validation_alias=AliasChoices("ARCH", "arch"),
        description="Network architecture: default (ours) or book (the textbook's).",
    )
    lookback_weeks: int = Field(
        default=8,
        ge=1,
        le=520,
        validation_alias=AliasChoices("LOOKBACK_WEEKS", "lookback_weeks"),
        description="Weeks of closes the default model reads.",
    )
    book_weeks: int = Field(
        default=186,
        ge=2,
        le=1000,
        validation_alias=AliasChoices("BOOK_WEEKS", "book_weeks"),
        description="Weeks of closes the book model reads.",
    )
    seed: int = Field(
        default=42,
        validation_alias=AliasChoices("SEED", "seed"),
        description="Seed of every random generator (weights, shuffling, the tuner's trials).",
    )
    model_version: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MODEL_VERSION", "MODEL_NAME", "model_version"),
        description="Pins (VersionPins): TICKER=VERSION pairs, or one version id that pins the "
        "ticker that has it; every other ticker serves its champion. Unset: champions only.",
    )
    store_uri: str = Field(
        default=DEFAULT_STORE_URI,
        validation_alias=AliasChoices("STORE_URI", "store_uri"),
        description="Where models live: s3://bucket/prefix or file://path.",
    )
    retrain_strategy: Strategy = Field(
        default="new",
        validation_alias=AliasChoices("RETRAIN_STRATEGY", "retrain_strategy"),
        description="new: train from scratch; continue: warm start from the champion "
        "(its backtest starts from weights that saw the window, so the gate's figures are "
        "optimistic and say so).",
    )
    data_source: str = Field(
        default="auto",
        validation_alias=AliasChoices("DATA_SOURCES", "DATA_SOURCE", "data_source"),
        description="The chain of price sources, tried in order (DATA_SOURCES, e.g. "
        "yahoo,bitstamp,kraken); DATA_SOURCE's single source is a chain of one.",
    )
    source_tolerance: float = Field(
        default=0.01,
        gt=0.0,
        le=0.2,
        validation_alias=AliasChoices("SOURCE_TOLERANCE", "source_tolerance"),
        description="Largest relative difference of two sources' closes on a day for a fallback's "
        "closes to feed a model trained on the other source (0.01: 1%).",
    )
    exchange_min_interval_seconds: float = Field(
        default=1.0,
        ge=0.0,
        le=60.0,
        validation_alias=AliasChoices(
            "EXCHANGE_MIN_INTERVAL_SECONDS", "exchange_min_interval_seconds"
        ),
        description="Least time between two requests of one process to one exchange.",
    )
    backtest_weeks: int = Field(
        default=52,
        ge=1,
        le=520,
        validation_alias=AliasChoices("BACKTEST_WEEKS", "backtest_weeks"),
        description="Weekly origins of the backtest the promotion gate reads.",
    )
    promotion_margin: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        validation_alias=AliasChoices("PROMOTION_MARGIN", "promotion_margin"),
        description="Relative MAPE slack: promote if challenger <= champion * (1 + margin).",
    )
    interval_level: float = Field(
        default=DEFAULT_INTERVAL_LEVEL,
        gt=0.0,
        lt=1.0,
        validation_alias=AliasChoices("INTERVAL_LEVEL", "interval_level"),
        description="Nominal coverage of the forecast interval (0.8: the 0.1 and 0.9 quantiles).",
    )
    quantiles: Annotated[tuple[float, ...], NoDecode] = Field(
        default=(),
        validation_alias=AliasChoices("QUANTILES", "quantiles"),
        description="Quantile levels of the default model; empty: the interval's ends and 0.5.",
    )
    coverage_tolerance: float = Field(
        default=0.10,
        ge=0.0,
        le=1.0,
        validation_alias=AliasChoices("COVERAGE_TOLERANCE", "coverage_tolerance"),
        description="The gate refuses a challenger whose coverage misses the level by more.",
    )
    calibration_step: float = Field(
        default=DEFAULT_CALIBRATION_STEP,
        gt=0.0,
        le=1.0,
        validation_alias=AliasChoices("CALIBRATION_STEP", "calibration_step"),
        description="Step of the adaptive calibration: log(band scale) moves by step x (missed -"
        " (1 - level)) per matured outcome.",
    )
    root_path: str = Field(
        default="",
        pattern=r"^(/[A-Za-z0-9._~-]+)*/?$",
        validation_alias=AliasChoices("ROOT_PATH", "root_path"),
        description="Public path prefix of the API (e.g. /Prod); empty: read from each event.",
    )
    cache_ttl_seconds: float = Field(
        default=30.0,
        ge=0.0,
        validation_alias=AliasChoices("CACHE_TTL_SECONDS", "cache_ttl_seconds"),
        description="How often serving checks the champion pointer's ETag for a new model.",
    )
    # -- the daily refresh and the live track record (cryptonic/jobs/refresh, registry)
    refresh_hour_utc: int = Field(
        default=0,
        ge=0,
        le=23,
        validation_alias=AliasChoices("REFRESH_HOUR_UTC", "refresh_hour_utc"),
        description="UTC hour of the daily refresh (at minute 30 of it), after the close.",
    )
    stale_after_hours: float = Field(
        default=48.0,
        gt=0.0,
        le=24.0 * 30,
        validation_alias=AliasChoices("STALE_AFTER_HOURS", "stale_after_hours"),
        description="A served forecast older than this (market-closed days not counted) is stale.",
    )
    refresh_max_missed_days: int = Field(
        default=3,
        ge=1,
        le=30,
        validation_alias=AliasChoices("REFRESH_MAX_MISSED_DAYS", "refresh_max_missed_days"),
        description="Trading days without a new close after which a refresh fails loudly.",
    )
    shadow_challengers: int = Field(
        default=2,
        ge=0,
        le=10,
        validation_alias=AliasChoices("SHADOW_CHALLENGERS", "shadow_challengers"),
        description="Most recent rejected challengers refreshed and scored beside the champion.",
    )
    forecast_retention_days: int = Field(
        default=365,
        ge=14,
        le=3660,
        validation_alias=AliasChoices("FORECAST_RETENTION_DAYS", "forecast_retention_days"),
        description="Days of dated forecasts kept (and scored) per ticker; older ones are pruned.",
    )

    # -- many tickers: the fan-out retrain, Yahoo politeness, serving memory (issue 15)
    retrain_queue_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("RETRAIN_QUEUE_URL", "retrain_queue_url"),
        description="SQS queue of per-ticker retrain jobs; set: a scheduled run fans out to it.",
    )
    retrain_max_receives: int = Field(
        default=5,
        ge=1,
        le=1000,
        validation_alias=AliasChoices("RETRAIN_MAX_RECEIVES", "retrain_max_receives"),
        description="Deliveries of one ticker's job before it is dead-lettered (redrive policy).",
    )
    retrain_max_attempts: int = Field(
        default=2,
        ge=1,
        le=5,  # the retrain queue's maxReceiveCount: more attempts would never come
        validation_alias=AliasChoices("RETRAIN_MAX_ATTEMPTS", "retrain_max_attempts"),
        description="Times one ticker's retrain really starts in a run (throttles not counted).",
    )
    refresh_queue_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REFRESH_QUEUE_URL", "refresh_queue_url"),
        description="SQS queue of per-ticker refresh jobs; set: a scheduled refresh fans out.",
    )
    refresh_max_receives: int = Field(
        default=5,
        ge=1,
        le=1000,
        validation_alias=AliasChoices("REFRESH_MAX_RECEIVES", "refresh_max_receives"),
        description="Deliveries of one ticker's refresh job before it is dead-lettered.",
    )
    refresh_max_attempts: int = Field(
        default=2,
        ge=1,
        le=5,  # the refresh queue's maxReceiveCount: more attempts would never come
        validation_alias=AliasChoices("REFRESH_MAX_ATTEMPTS", "refresh_max_attempts"),
        description="Times one ticker's refresh really starts in a run (throttles not counted).",
    )
    # -- runs that always end (issue 23): claims, time, deadlines, who reports a closed run
    retrain_visibility_timeout: int = Field(
        default=5400,
        ge=1,
        le=43_200,
        validation_alias=AliasChoices("RETRAIN_VISIBILITY_TIMEOUT", "retrain_visibility_timeout"),
        description="The retrain queue's visibility timeout: the lease of a ticker's claim (s).",
    )
    refresh_visibility_timeout: int = Field(
        default=3600,
        ge=1,
        le=43_200,
        validation_alias=AliasChoices("REFRESH_VISIBILITY_TIMEOUT", "refresh_visibility_timeout"),
        description="The refresh queue's visibility timeout: the lease of a ticker's claim (s).",
    )
    retrain_ticker_seconds: float = Field(
        default=120.0,
        ge=0.0,
        le=900.0,
        validation_alias=AliasChoices("RETRAIN_TICKER_SECONDS", "retrain_ticker_seconds"),
        description="Least time an invocation must have left to start a ticker's retrain.",
    )
    refresh_ticker_seconds: float = Field(
        default=90.0,
        ge=0.0,
        le=900.0,
        validation_alias=AliasChoices("REFRESH_TICKER_SECONDS", "refresh_ticker_seconds"),
        description="Least time an invocation must have left to start a ticker's refresh.",
    )
    retrain_run_hours: float = Field(
        default=24.0,
        gt=0.0,
        le=336.0,
        validation_alias=AliasChoices("RETRAIN_RUN_HOURS", "retrain_run_hours"),
        description="A retrain run's deadline after its dispatch (the queue's retention), hours.",
    )
    refresh_run_hours: float = Field(
        default=12.0,
        gt=0.0,
        le=336.0,
        validation_alias=AliasChoices("REFRESH_RUN_HOURS", "refresh_run_hours"),
        description="A refresh run's deadline after its dispatch (the queue's retention), hours.",
    )
    retrain_function_name: str | None = Field(
        default=None,
        validation_alias=AliasChoices("RETRAIN_FUNCTION_NAME", "retrain_function_name"),
        description="The retrain function: the sweeper reports its closed runs under its name.",
    )
    refresh_function_name: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REFRESH_FUNCTION_NAME", "refresh_function_name"),
        description="The refresh function: the sweeper reports its closed runs under its name.",
    )
    alarm_topic_arn: str | None = Field(
        default=None,
        validation_alias=AliasChoices("ALARM_TOPIC_ARN", "alarm_topic_arn"),
        description="SNS topic told which tickers failed when a fanned-out retrain or refresh run "
        "ends (by the job, or by the sweeper that closed it).",
    )
    yahoo_min_interval_seconds: float = Field(
        default=1.0,
        ge=0.0,
        le=60.0,
        validation_alias=AliasChoices("YAHOO_MIN_INTERVAL_SECONDS", "yahoo_min_interval_seconds"),
        description="Least time between two Yahoo requests of one process (a rate bound).",
    )
    yahoo_max_retries: int = Field(
        default=4,
        ge=0,
        le=10,
        validation_alias=AliasChoices("YAHOO_MAX_RETRIES", "yahoo_max_retries"),
        description="Retries of a Yahoo request answered 429 Too Many Requests, with backoff.",
    )
    max_loaded_tickers: int = Field(
        default=256,
        ge=1,
        le=100_000,
        validation_alias=AliasChoices("MAX_LOADED_TICKERS", "max_loaded_tickers"),
        description="Champions a serving instance keeps loaded; the least recently used go.",
    )

    # -- deadlines of serving (issue 22): every store call of a request or of the cold start
    # takes what is left of one deadline, so a slow or silent S3 costs a 503, not a timeout
    request_deadline_seconds: float = Field(
        default=2.5,
        gt=0.0,
        le=25.0,
        validation_alias=AliasChoices("REQUEST_DEADLINE_SECONDS", "request_deadline_seconds"),
        description="Seconds the store calls of one request may take in all (less when Lambda "
        "has less left); then 503 store_unavailable.",
    )
    warm_deadline_seconds: float = Field(
        default=2.0,
        ge=0.0,
        le=8.0,
        validation_alias=AliasChoices("WARM_DEADLINE_SECONDS", "warm_deadline_seconds"),
        description="Seconds the cold start may spend loading the default ticker's champion "
        "(Lambda's init limit is 10 s); 0: its first request loads it.",
    )

    # -- the network's size, regularization and optimizer (issue 16: `cryptonic tune` prints
    # the best of them as these env lines); the defaults are ModelSpec's, unchanged
    lstm_units: int = Field(
        default=32,
        ge=1,
        le=1024,
        validation_alias=AliasChoices("LSTM_UNITS", "lstm_units"),
        description="Units of each LSTM layer of the default architecture (the book's has 7).",
    )
    lstm_layers: int = Field(
        default=1,
        ge=1,
        le=4,
        validation_alias=AliasChoices("LSTM_LAYERS", "lstm_layers"),
        description="Stacked LSTM layers (each but the last returns its sequence).",
    )
    activation: Activation = Field(
        default="tanh",
        validation_alias=AliasChoices("ACTIVATION", "activation"),
        description="Activation of the LSTM cells.",
    )
    dropout: float = Field(
        default=0.0,
        ge=0.0,
        le=0.9,
        validation_alias=AliasChoices("DROPOUT", "dropout"),
        description="Dropout of each LSTM layer's inputs during training.",
    )
    recurrent_dropout: float = Field(
        default=0.0,
        ge=0.0,
        le=0.9,
        validation_alias=AliasChoices("RECURRENT_DROPOUT", "recurrent_dropout"),
        description="Dropout of each LSTM layer's recurrent state during training.",
    )
    l1: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        validation_alias=AliasChoices("L1", "l1"),
        description="L1 penalty on the LSTM weights (kernel and recurrent kernel).",
    )
    l2: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        validation_alias=AliasChoices("L2", "l2"),
        description="L2 penalty on the LSTM weights (kernel and recurrent kernel).",
    )
    learning_rate: float = Field(
        default=3e-4,
        gt=0.0,
        le=1.0,
        validation_alias=AliasChoices("LEARNING_RATE", "learning_rate"),
        description="Step size of the default architecture's optimizer.",
    )
    batch_size: int = Field(
        default=64,
        ge=1,
        le=4096,
        validation_alias=AliasChoices("BATCH_SIZE", "batch_size"),
        description="Training windows per gradient step.",
    )
    optimizer: Optimizer = Field(
        default="adam",
        validation_alias=AliasChoices("OPTIMIZER", "optimizer"),
        description="Optimizer of the default architecture (the book's is always rmsprop).",
    )
    tensorboard_dir: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TENSORBOARD_DIR", "tensorboard_dir"),
        description="Folder of TensorBoard logs of every fit (local runs; unset: none).",
    )

    @field_validator("tickers", mode="before")
    @classmethod
    def _split_tickers(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in re.split(r"[,\s]+", value) if part]
        return value

    @field_validator("tickers")
    @classmethod
    def _check_tickers(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("TICKERS is empty: name at least one ticker, e.g. BTC-USD")
        return list(dict.fromkeys(normalize_ticker(t) for t in value))  # each ticker once

    @field_validator("quantiles", mode="before")
    @classmethod
    def _split_quantiles(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part for part in re.split(r"[,\s]+", value) if part)
        return value

    @field_validator("model_version")
    @classmethod
    def _check_pins(cls, value: str | None) -> str | None:
        VersionPins.read(value)
        return value

    @field_validator("data_source")
    @classmethod
    def _check_source(cls, value: str) -> str:
        source_chain(value)
        return value

    @model_validator(mode="after")
    def _check_range(self) -> Settings:
        if self.start_date and self.end_date and self.start_date >= self.end_date:
            raise ValueError(
                f"START_DATE {self.start_date} must be before END_DATE {self.end_date}"
            )
        return self

    @model_validator(mode="after")
    def _check_quantiles(self) -> Settings:
        levels = self.quantiles or interval_quantiles(self.interval_level)
        object.__setattr__(self, "quantiles", check_quantiles(levels, self.interval_level))
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process (the Lambda container keeps them between invocations)."""
    return Settings()
