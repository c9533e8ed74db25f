"""The store's layout: the name of every object and the key it lives under.

One module, so the writer (the retrain, the refresh) and every reader (serving, the CLI) build
the same keys from the same names; ``shared/design.md`` draws the layout::

    <ticker>/versions/<version>/{model.keras, model.tflite, forecast.json, prices.csv}
    <ticker>/versions/<version>/manifest.json   written last: the version exists once it does
    <ticker>/champion.json                     the champion pointer (compare-and-swap)
    <ticker>/prices.csv                        the champion's price snapshot
    forecasts/<ticker>/<as_of>/<version>.json  dated forecasts, create-only
    forecasts/<ticker>/{latest.json, scores.json, track-record.json, calibration.json}

Every key is checked on the way out: a ticker is normalized, a version matches
:data:`VERSION_PATTERN`, an artifact is a plain file name (this also stops path traversal).

The root holds one folder per ticker beside ``forecasts/`` and ``runs/`` (the jobs' run ledgers).
Tickers are upper case once normalized and those two are lower case, so a folder at the root is a
ticker's exactly when its name is a normalized ticker: listing the root's folders lists the
tickers, at the cost of the tickers, not of their versions and logs.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from cryptonic.config import normalize_ticker
from cryptonic.errors import ConfigError

# Names of what a version holds: one set, used by the writer and every reader.

MANIFEST_NAME: Final = "manifest.json"
CHAMPION_NAME: Final = "champion.json"
MODEL_KERAS: Final = "model.keras"
MODEL_TFLITE: Final = "model.tflite"
FORECAST_NAME: Final = "forecast.json"
PRICES_NAME: Final = "prices.csv"
ARTIFACT_NAMES: Final = (MODEL_KERAS, MODEL_TFLITE, FORECAST_NAME, PRICES_NAME)
"""The artifacts the pipeline publishes; the registry accepts other safe names too."""

VERSION_PATTERN: Final = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{7}$")
"""``20261123T192000Z-1a2b3c4``: UTC timestamp (sorts chronologically) + 7 hex digits."""

_ARTIFACT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)*$")

# The forecast log's names (cryptonic.registry.forecast_log, cryptonic.registry.track_record).

FORECASTS_PREFIX: Final = "forecasts/"
LATEST_NAME: Final = "latest.json"
SCORES_NAME: Final = "scores.json"
TRACK_RECORD_NAME: Final = "track-record.json"
CALIBRATION_NAME: Final = "calibration.json"


def check_ticker(ticker: str) -> str:
    """Normalize a ticker (``btc-usd`` -> ``BTC-USD``) or raise :class:`ConfigError`."""
    try:
        return normalize_ticker(ticker)
    except (ValueError, AttributeError) as exc:
        raise ConfigError(str(exc)) from exc


def check_version(version: str) -> str:
    """Check a version id against :data:`VERSION_PATTERN` (this also stops path traversal)."""
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise ConfigError(
            f"invalid model version {version!r}: expected an id like 20261123T192000Z-1a2b3c4"
        )
    return version


def check_artifact_name(name: str) -> str:
    if not isinstance(name, str) or not _ARTIFACT_NAME.match(name) or name == MANIFEST_NAME:
        raise ConfigError(
            f"invalid artifact name {name!r}: use a plain file name such as model.tflite "
            f"({MANIFEST_NAME} is written by the registry)"
        )
    return name


def ticker_folder(ticker: str) -> str:
    """``<ticker>/``: everything the registry keeps of a ticker (not its forecast log)."""
    return f"{check_ticker(ticker)}/"


def versions_prefix(ticker: str) -> str:
    """``<ticker>/versions/``: one folder per version below it."""
    return f"{ticker_folder(ticker)}versions/"


def version_prefix(ticker: str, version: str) -> str:
    return f"{versions_prefix(ticker)}{check_version(version)}/"


def artifact_key(ticker: str, version: str, name: str) -> str:
    if name != MANIFEST_NAME:
        check_artifact_name(name)
    return version_prefix(ticker, version) + name


def champion_key(ticker: str) -> str:
    return f"{check_ticker(ticker)}/{CHAMPION_NAME}"


def prices_key(ticker: str) -> str:
    """The champion's price snapshot mirror, ``<ticker>/prices.csv``."""
    return f"{check_ticker(ticker)}/{PRICES_NAME}"


# --------------------------------------------------------------------------------------------
# The forecast log


_AS_OF = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def forecasts_prefix(ticker: str) -> str:
    return f"{FORECASTS_PREFIX}{check_ticker(ticker)}/"


def forecast_key(ticker: str, as_of: dt.date, version: str) -> str:
    return f"{forecasts_prefix(ticker)}{as_of.isoformat()}/{check_version(version)}.json"


def latest_key(ticker: str) -> str:
    return forecasts_prefix(ticker) + LATEST_NAME


def parse_forecast_key(key: str, ticker: str) -> tuple[dt.date, str] | None:
    """``(as_of, version)`` of a forecast object's key (relative to the store), else None."""
    prefix = forecasts_prefix(ticker)
    if not key.startswith(prefix):
        return None
    parts = key[len(prefix) :].split("/")
    if len(parts) != 2 or not _AS_OF.match(parts[0]) or not parts[1].endswith(".json"):
        return None
    version = parts[1].removesuffix(".json")
    if not VERSION_PATTERN.match(version):
        return None
    try:
        return dt.date.fromisoformat(parts[0]), version
    except ValueError:
        return None


def scores_key(ticker: str) -> str:
    """The refresh's score ledger of ``ticker``."""
    return forecasts_prefix(ticker) + SCORES_NAME


def track_record_key(ticker: str) -> str:
    """The track record serving reads for ``ticker``."""
    return forecasts_prefix(ticker) + TRACK_RECORD_NAME


def calibration_key(ticker: str) -> str:
    """The adaptive calibration state of ``ticker``'s served band (the refresh's alone)."""
    return forecasts_prefix(ticker) + CALIBRATION_NAME
