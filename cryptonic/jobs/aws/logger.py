"""The scheduled jobs' logging in Lambda: Powertools' Logger, one JSON object per line with the
invocation's request id and, inside a run, the run's id.

cryptonic's modules log through the standard library (``logging.getLogger("cryptonic.jobs")``),
so that the CLI prints the same records as text for people (cryptonic.logs.configure_logging).
In a job's Lambda function the Powertools Logger *is* the ``cryptonic`` logger (its service), so
every module's records reach its handler and its formatter, which adds the Lambda context's keys
(``function_request_id``, ``function_name``, ``cold_start``, ...: :func:`lambda_handler`) and the
run's (``run_id``: :func:`run_keys`) to each line, and the logger's name (``name``). Python's
warnings and yfinance's logger get the same handler. What Powertools does not do, wrapping the
lines native libraries write to fd 2, stays cryptonic.logs.route_native_stderr's, with this
formatter (so TensorFlow's lines carry the request and run ids too).

Lines go to stderr (Powertools' default is stdout): stdout carries the metrics alone
(cryptonic.jobs.aws.cloudwatch), as it always has; Lambda ships both streams to the same log.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from cryptonic.logs import CurrentStream, route_native_stderr

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

__all__ = ["SERVICE", "Handler", "job_logger", "lambda_handler", "run_keys"]

SERVICE: Final = "cryptonic"
"""The Logger's service: the name of the stdlib logger every module of cryptonic logs under."""
THIRD_PARTY: Final = frozenset({"py", "yfinance"})
"""Top-level loggers that get the same handler: ``py`` holds ``py.warnings`` (Python's warnings,
once captured; Powertools copies its handler to top-level loggers only) and yfinance's."""

Handler = Callable[[Any, Any], dict[str, Any]]
"""A Lambda function's entry point: ``(event, context) -> answer``."""

_logger: Logger | None = None


def job_logger() -> Logger:
    """The jobs' Powertools Logger, set up once per process (its level: ``POWERTOOLS_LOG_LEVEL``
    or Lambda's ``AWS_LAMBDA_LOG_LEVEL``, INFO by default), and the ``cryptonic`` logger its
    own again if something in the process (the CLI's setup) took it since."""
    global _logger
    if _logger is None:
        _logger = _set_up()
    ours = logging.getLogger(SERVICE)
    if ours.handlers != [_logger.registered_handler]:
        ours.handlers[:] = [_logger.registered_handler]
        ours.setLevel(_logger.log_level)
        ours.propagate = True
    return _logger


def _set_up() -> Logger:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

    ours = logging.getLogger(SERVICE)
    ours.handlers[:] = []  # what a command-line setup left in this process
    ours.propagate = True  # Powertools keeps the root's handlers from printing them twice
    logger = Logger(
        service=SERVICE, logger_handler=CurrentStream("stderr"), utc=True, use_rfc3339=True
    )
    logging.captureWarnings(True)
    for name in THIRD_PARTY:
        logging.getLogger(name)  # registered, so that the copy below finds it
    copy_config_to_registered_loggers(source_logger=logger, include=set(THIRD_PARTY))
    logger.append_keys(name="%(name)s")
    if os.environ.get("AWS_LAMBDA_RUNTIME_API"):
        route_native_stderr(logger.registered_formatter)
    return logger


def lambda_handler(handler: Handler) -> Handler:
    """A job's Lambda entry point: logging set up when its module is imported (once per
    container), and each invocation's Lambda context (request id, function, cold start) on every
    line it logs. A call without a context (a script calling the handler as a function) runs
    as it is, its lines without an earlier invocation's request id."""
    from aws_lambda_powertools.logging.lambda_context import LambdaContextModel

    logger = job_logger()
    injected = logger.inject_lambda_context(handler)
    context_keys = [*vars(LambdaContextModel()), "cold_start"]

    @functools.wraps(handler)
    def invoke(event: Any, context: Any) -> dict[str, Any]:
        job_logger()
        if context is None:
            logger.remove_keys(context_keys)
            return handler(event, context)
        answer: dict[str, Any] = injected(event, context)
        return answer

    return invoke


@contextmanager
def run_keys(run_id: str | None) -> Iterator[None]:
    """Every line logged inside carries ``run_id`` (in a job's Lambda; elsewhere, and without a
    run id, nothing changes)."""
    if _logger is None or run_id is None:
        yield
        return
    with _logger.append_context_keys(run_id=run_id):
        yield
