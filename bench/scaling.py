"""Per-ticker costs of the weekly fan-out and the daily refresh, and docs/scaling.md's table.

Measured on moto's S3 and SQS servers (the real protocols, on loopback) with the default model
config on the bundled BTC snapshot: one ticker's retrain (seconds, store requests by kind), the
rerun of the same week (skipped: what a duplicate delivery costs), one refresh of the next close,
and a dispatch of 1,000 tickers (seconds, SQS requests). ``table`` turns them into the weekly
figures for 10 / 100 / 1,000 tickers with the formulas it prints beside them.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections import Counter
from typing import Any

from bench.common import moto_s3

RETRAIN_MEMORY_GB = 3.008
"""template.yaml RetrainMemorySize default (about 1.7 vCPUs)."""
REFRESH_MEMORY_GB = 1.024
DISPATCH_MEMORY_GB = 0.512
DEFAULT_CONCURRENCY = 4
"""template.yaml RetrainConcurrency default."""
LAMBDA_CPU_FACTOR = 2.0 / 1.7
"""Our 2 cores against 3008 MB's ~1.7 vCPUs: training is CPU-bound, so Lambda takes ~1.18x."""
PRICE_GB_S = 0.0000166667  # us-east-1 x86, first tier
PRICE_REQUEST = 0.20 / 1e6
PRICE_S3_WRITE = 0.005 / 1000  # PUT, LIST
PRICE_S3_READ = 0.0004 / 1000  # GET, HEAD
PRICE_SQS = 0.40 / 1e6
REFRESH_BATCH = 5
REFRESH_CONCURRENCY = 2
"""template.yaml RefreshJobs: BatchSize and MaximumConcurrency."""
YAHOO_REQUESTS_PER_FETCH = 2
YAHOO_MIN_INTERVAL_S = 1.0
"""YAHOO_MIN_INTERVAL_SECONDS default: the refresh's loop fetches at most one ticker a second."""

WRITE_CALLS = {"put_bytes", "put_json", "list"}


class CountingStore:
    """The store, counting each request it makes by kind (one call is one S3 request, except a
    listing past 1,000 keys, which pages: the counts are a floor there)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    @property
    def uri(self) -> str:
        return str(self.inner.uri)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted

    def take(self) -> dict[str, int]:
        counts = dict(self.calls)
        self.calls.clear()
        return counts


def _requests(calls: dict[str, int]) -> dict[str, Any]:
    writes = sum(n for k, n in calls.items() if k in WRITE_CALLS)
    reads = sum(n for k, n in calls.items() if k not in WRITE_CALLS)
    return {"writes": writes, "reads": reads, "by_call": dict(sorted(calls.items()))}


def run(dispatch_tickers: int = 1000) -> dict[str, Any]:
    from cryptonic.config import Settings
    from cryptonic.data import load_prices
    from cryptonic.jobs.dispatch import dispatch_jobs
    from cryptonic.jobs.refresh.one_ticker import refresh
    from cryptonic.jobs.retrain.one_ticker import retrain
    from cryptonic.store.uri import open_store

    last = load_prices("BTC-USD", source="bundled")["date"].iloc[-1].date()
    week_before = last - dt.timedelta(days=7)
    with moto_s3() as env:
        os.environ["AWS_ENDPOINT_URL_SQS"] = env["AWS_ENDPOINT_URL_S3"]
        try:
            store = CountingStore(open_store("s3://cryptonic-bench/models"))
            settings = Settings(data_source="bundled", store_uri=store.uri, end_date=week_before)

            t = time.perf_counter()
            first = retrain(settings, store, "BTC-USD")
            retrain_s = time.perf_counter() - t
            retrain_calls = store.take()
            if first.error:
                raise RuntimeError(f"retrain failed: {first.error}")

            t = time.perf_counter()
            again = retrain(settings, store, "BTC-USD")
            rerun_s = time.perf_counter() - t
            rerun_calls = store.take()

            refreshed_settings = Settings(data_source="bundled", store_uri=store.uri)
            now = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 30), dt.UTC)
            t = time.perf_counter()
            refreshed = refresh(refreshed_settings, store, "BTC-USD", now=now)
            refresh_s = time.perf_counter() - t
            refresh_calls = store.take()

            import boto3

            sqs = boto3.client("sqs", endpoint_url=env["AWS_ENDPOINT_URL_S3"])
            url = sqs.create_queue(QueueName="bench-retrain")["QueueUrl"]
            tickers = [f"T{i:04d}-USD" for i in range(dispatch_tickers)]
            dispatch_settings = Settings(
                data_source="bundled", store_uri=store.uri, retrain_queue_url=url, tickers=tickers
            )
            t = time.perf_counter()
            dispatched = dispatch_jobs(None, dispatch_settings, store=store)
            dispatch_s = time.perf_counter() - t
            dispatch_calls = store.take()
            queued = int(
                sqs.get_queue_attributes(
                    QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"]["ApproximateNumberOfMessages"]
            )
        finally:
            os.environ.pop("AWS_ENDPOINT_URL_SQS", None)
    return {
        "retrain": {
            "seconds": round(retrain_s, 2),
            "outcome": "promoted" if first.promoted else "rejected",
            "store": _requests(retrain_calls),
        },
        "rerun_same_week": {
            "seconds": round(rerun_s, 2),
            "skipped": again.skipped,
            "store": _requests(rerun_calls),
        },
        "refresh": {
            "seconds": round(refresh_s, 3),
            "outcome": refreshed.outcome,
            "store": _requests(refresh_calls),
        },
        "dispatch": {
            "tickers": dispatch_tickers,
            "seconds": round(dispatch_s, 2),
            "sent": len(dispatched.sent),
            "queued": queued,
            "sqs_requests": math.ceil(dispatch_tickers / 10),
            "store": _requests(dispatch_calls),
        },
    }


def table(
    measured: dict[str, Any], counts: tuple[int, ...] = (10, 100, 1000)
) -> list[dict[str, Any]]:
    """The weekly figures for each ticker count, from the per-ticker measurements.

    retrain wall = dispatch + ceil(N / RetrainConcurrency) x t_retrain x 1.18 (Lambda's CPU);
    refresh wall = ceil(N / (5 x 2)) x 5 x t_refresh_ticker, t_refresh_ticker = measured refresh
    + Yahoo: at least 2 requests x YAHOO_MIN_INTERVAL_SECONDS per fetch (chart + timezone probe;
    a fresh process adds cookie and crumb); GB-s = seconds x memory; requests counted as measured.
    """
    t_retrain = measured["retrain"]["seconds"] * LAMBDA_CPU_FACTOR
    t_refresh = measured["refresh"]["seconds"] + YAHOO_REQUESTS_PER_FETCH * YAHOO_MIN_INTERVAL_S
    per_1000_dispatch = measured["dispatch"]["seconds"] / measured["dispatch"]["tickers"] * 1000
    s3_retrain = measured["retrain"]["store"]
    s3_refresh = measured["refresh"]["store"]
    rows = []
    for n in counts:
        dispatch_s = 2.0 + per_1000_dispatch * n / 1000  # + a cold start
        retrain_wall = dispatch_s + math.ceil(n / DEFAULT_CONCURRENCY) * t_retrain
        refresh_wall = (
            dispatch_s
            + math.ceil(n / (REFRESH_BATCH * REFRESH_CONCURRENCY)) * REFRESH_BATCH * t_refresh
        )
        retrain_gb_s = n * t_retrain * RETRAIN_MEMORY_GB + dispatch_s * DISPATCH_MEMORY_GB
        refresh_gb_s = 7 * (n * t_refresh * REFRESH_MEMORY_GB + dispatch_s * DISPATCH_MEMORY_GB)
        lambda_requests = n + 7 * math.ceil(n / REFRESH_BATCH) + 8
        s3_writes = n * s3_retrain["writes"] + 7 * n * s3_refresh["writes"] + 8 * (n + 2)
        s3_reads = n * s3_retrain["reads"] + 7 * n * s3_refresh["reads"] + 8 * (n + 1)
        sqs_requests = 8 * (math.ceil(n / 10) + 2 * n)  # send batches; receive + delete per job
        cost = (
            (retrain_gb_s + refresh_gb_s) * PRICE_GB_S
            + lambda_requests * PRICE_REQUEST
            + s3_writes * PRICE_S3_WRITE
            + s3_reads * PRICE_S3_READ
            + sqs_requests * PRICE_SQS
        )
        rows.append(
            {
                "tickers": n,
                "retrain_wall_minutes": round(retrain_wall / 60, 1),
                "refresh_wall_minutes": round(refresh_wall / 60, 1),
                "gb_s_per_week": round(retrain_gb_s + refresh_gb_s),
                "yahoo_fetches": n * 8,
                "yahoo_requests_min": n * 8 * YAHOO_REQUESTS_PER_FETCH,
                "s3_requests": s3_writes + s3_reads,
                "sqs_requests": sqs_requests,
                "usd_per_week": round(cost, 3),
            }
        )
    return rows
