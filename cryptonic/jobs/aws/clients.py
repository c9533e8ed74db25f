"""The jobs' SQS and SNS clients: boto3, with timeouts and retries of their own.

botocore's defaults are a 60 s connect and a 60 s read timeout with up to 4 legacy retries:
one slow endpoint could hold a call for minutes, longer than the dispatch's or the refresh's
whole invocation, and the run would die without a word instead of reporting the failure. These
clients give up within seconds (``standard`` retry mode: throttles and 5xx retried with backoff,
bounded attempts), so a failed send or notification is an error the caller reports in time.
boto3 honours the standard environment (``AWS_ENDPOINT_URL_SQS``, ``AWS_ENDPOINT_URL_SNS``: the
tests point them at moto's server). The store's S3 clients are cryptonic.store's own design.
"""

from __future__ import annotations

from typing import Any, Final, Literal

__all__ = ["CONNECT_TIMEOUT_S", "MAX_ATTEMPTS", "READ_TIMEOUT_S", "client_config", "job_client"]

CONNECT_TIMEOUT_S: Final = 3.0
READ_TIMEOUT_S: Final = 10.0
MAX_ATTEMPTS: Final = 3
"""Attempts of one call in all (the first and two retries), botocore's ``standard`` mode: its
``total_max_attempts`` (its ``max_attempts`` counts the retries alone, one more call)."""

Service = Literal["sqs", "sns"]


def client_config() -> Any:
    """The botocore ``Config`` of every job client."""
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )


def job_client(service: Service) -> Any:
    """A boto3 client of ``service`` on :func:`client_config` (boto3's default session, made once
    per process: its credentials and endpoint data are read once per container)."""
    import boto3

    return boto3.client(service, config=client_config())
