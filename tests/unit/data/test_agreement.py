"""The agreement of two sources' closes: the figures, the missing days, and the refusal."""

from __future__ import annotations

import pandas as pd
import pytest

from cryptonic.data import SourcesDisagreeError, agreement, require_agreement


def closes(days: list[str], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(days), "close": values})


def test_relative_differences_on_the_common_days_and_the_days_one_lacks() -> None:
    ref = closes(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"], [100, 200, 300, 400])
    other = closes(["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-05"], [101, 297, 400, 9])

    found = agreement(ref, other, "yahoo", "bitstamp")

    assert found.days == 3
    assert found.median == pytest.approx(0.01)
    assert found.worst == pytest.approx(0.01)
    assert str(found.worst_day) in {"2024-01-01", "2024-01-03"}
    assert [d.isoformat() for d in found.missing] == ["2024-01-02"]  # 01-05 is past ref's end
    assert found.describe().startswith("bitstamp vs yahoo: 3 common days, median 1.000%")


def test_a_disagreement_names_both_sources_and_the_worst_day() -> None:
    days = [f"2024-01-{d:02d}" for d in range(1, 11)]
    ref = closes(days, [100.0] * 10)
    other = closes(days, [100.0] * 9 + [103.0])
    found = agreement(ref, other, "yahoo", "kraken")

    require_agreement(found, tolerance=0.05)
    with pytest.raises(SourcesDisagreeError, match=r"kraken's closes disagree with yahoo's: "
                       r"3\.000% on 2024-01-10"):  # fmt: skip
        require_agreement(found, tolerance=0.01)


def test_too_short_an_overlap_cannot_vouch_for_a_fallback() -> None:
    ref = closes(["2024-01-01", "2024-01-02"], [1.0, 1.0])
    with pytest.raises(SourcesDisagreeError, match="only 2 common days"):
        require_agreement(agreement(ref, ref, "yahoo", "bitstamp"), tolerance=0.01)
    none = agreement(ref, closes(["2025-01-01"], [1.0]), "yahoo", "bitstamp")
    assert (none.days, none.worst) == (0, None)
