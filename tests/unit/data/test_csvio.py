"""CSV snapshots: exact round trip and a hash that only changes when the data does."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from cryptonic.data import frame_sha256, read_prices_csv, to_yahoo_csv, validate_prices
from cryptonic.errors import DataError
from tests.fixtures.prices import make_prices

YAHOO_EXPORT = b"""Date,Open,High,Low,Close,Adj Close,Volume
2024-01-03,184.220001,185.880005,183.429993,184.250000,183.509995,58414500
2024-01-02,187.149994,188.440002,183.889999,185.639999,184.892059,82488700
2024-01-04,182.149994,183.089996,180.880005,181.910004,181.179504,71983600
"""


def test_round_trip_is_exact() -> None:
    frame = validate_prices(make_prices(days=200))

    again = read_prices_csv(to_yahoo_csv(frame))

    pd.testing.assert_frame_equal(again, frame, check_exact=True)


def test_bytes_are_stable_and_in_yahoo_layout() -> None:
    frame = validate_prices(make_prices(days=3))

    data = to_yahoo_csv(frame)

    assert data == to_yahoo_csv(frame.copy())
    assert data == to_yahoo_csv(read_prices_csv(data))
    lines = data.decode().splitlines()
    assert lines[0] == "Date,Open,High,Low,Close,Volume"
    assert lines[1].startswith("2020-01-06,")
    assert lines[1].split(",")[-1].isdigit()  # whole volumes are written as integers
    assert data.endswith(b"\n")
    assert b"\r" not in data


def test_fractional_volume_survives() -> None:
    frame = validate_prices(make_prices(days=3))
    frame.loc[0, "volume"] = 1234.5678

    again = read_prices_csv(to_yahoo_csv(frame))

    assert again["volume"].tolist() == frame["volume"].tolist()


def test_sha256_is_the_hash_of_the_csv_bytes() -> None:
    frame = validate_prices(make_prices(days=50))
    changed = frame.copy()
    changed.loc[10, "close"] = frame["close"].iloc[10] * (1 + 1e-12)

    assert frame_sha256(frame) == hashlib.sha256(to_yahoo_csv(frame)).hexdigest()
    assert frame_sha256(frame) == frame_sha256(read_prices_csv(to_yahoo_csv(frame)))
    assert frame_sha256(changed) != frame_sha256(frame)


def test_reads_yahoo_export_with_adj_close_sorted(tmp_path: Path) -> None:
    path = tmp_path / "AAPL.csv"
    path.write_bytes(YAHOO_EXPORT)

    frame = read_prices_csv(path)

    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-02",
        "2024-01-03",
        "2024-01-04",
    ]
    assert frame["close"].iloc[0] == 185.639999  # Close, not Adj Close
    assert read_prices_csv(str(path)).equals(frame)


def test_reads_lower_case_headers() -> None:
    data = YAHOO_EXPORT.replace(
        b"Date,Open,High,Low,Close,Adj Close,Volume", b"date,open,high,low,close,volume"
    )
    data = b"\n".join(
        line if i == 0 else b",".join(line.split(b",")[:5] + line.split(b",")[6:])
        for i, line in enumerate(data.splitlines())
    )

    assert len(read_prices_csv(data)) == 3


def test_yahoo_null_cells_are_reported_as_nan() -> None:
    data = YAHOO_EXPORT.replace(b"184.250000,183.509995", b"null,null")

    with pytest.raises(DataError, match="CSV data: prices are invalid: NaN in close on 2024-01-03"):
        read_prices_csv(data)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"CSV file '.*nope\.csv' not found"):
        read_prices_csv(tmp_path / "nope.csv")


def test_garbage_is_not_a_csv() -> None:
    with pytest.raises(DataError, match="not a readable CSV"):
        read_prices_csv(b"")
    with pytest.raises(DataError, match="missing columns: date, open, high, low, close, volume"):
        read_prices_csv(b"\x00\x01binary,junk\n1,2\n")


def test_a_missing_volume_is_written_null_and_read_back_missing() -> None:
    raw = make_prices(days=3).astype({"volume": "float64"})
    raw.loc[1, "volume"] = float("nan")
    frame = validate_prices(raw)

    data = to_yahoo_csv(frame)

    rows = data.decode().splitlines()
    assert rows[2].endswith(",null")
    assert rows[1].split(",")[-1].isdigit()  # the other volumes stay whole numbers
    again = read_prices_csv(data)
    pd.testing.assert_frame_equal(again, frame, check_exact=True)
    assert frame_sha256(again) == frame_sha256(frame)
