"""The summaries behind ``GET /tickers`` on a store of many tickers: one request reads the
pointers of a bounded number of them, whatever the page's size; the next requests read the rest."""

from __future__ import annotations

import pytest

from cryptonic.api.state.ticker_summaries import READS_PER_REQUEST
from cryptonic.registry.registry import Registry
from tests.fixtures.api import FakeClock, WatchedStore, make_client
from tests.fixtures.published import publish_version

pytestmark = pytest.mark.slow

COUNT = 2 * READS_PER_REQUEST + 5


def test_a_page_reads_the_pointers_of_a_bounded_number_of_tickers(local_store, published_model):
    """A page of 200 read whole cost 260 to 390 S3 GETs on 1,000 tickers (bench/serving_scale.py):
    now each request reads at most READS_PER_REQUEST tickers' pointers (3 GETs each at most),
    flags the others ``unread``, and the following requests read them, in page order."""
    registry = Registry(local_store)
    names = [f"T{n:02d}-USD" for n in range(COUNT)]
    for name in names:
        publish_version(registry, published_model, ticker=name)
    store = WatchedStore(local_store)
    client = make_client(Registry(store), FakeClock(), tickers=names[:1], cache_ttl_seconds=30)
    read: list[str] = []
    for n in range(3):
        store.clear()
        page = client.get("/tickers", params={"limit": 200}).json()["tickers"]
        assert [row["ticker"] for row in page] == names, "every ticker has its row"
        pointers = [key.split("/")[0] for key in store.keys if key.endswith("/champion.json")]
        assert sorted(pointers) == names[len(read) : len(read) + READS_PER_REQUEST], n
        assert len([c for c in store.calls if c != "list"]) <= 3 * READS_PER_REQUEST
        read += pointers
        unread = [row["ticker"] for row in page if row["unread"]]
        assert sorted(unread) == sorted(set(names) - set(read)), "the others, flagged"
    assert sorted(read) == names, "in three requests, each ticker read once"
    last = client.get("/tickers", params={"limit": 200}).json()["tickers"]
    assert all(row["champion"] and not row["unread"] for row in last)
