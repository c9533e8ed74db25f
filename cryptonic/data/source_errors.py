"""How a price source fails, in the words the chain of sources acts on.

Three kinds must stay apart: ``DataUnavailableError`` (the source could not be asked: network,
rate limit, outage, deadline; worth a retry later and worth the next source of the chain),
``NotQuotedError`` (the source does not serve this ticker at all, e.g. an exchange asked for a
stock: the chain passes it by without calling it a failure) and a plain ``DataError`` (the source
answered with no or bad prices: retrying or substituting another series would hide a typo).
``SourcesDisagreeError`` is the cross-check's verdict: two sources' closes differ by more than the
tolerance, so one cannot stand in for the other.
"""

from __future__ import annotations

from cryptonic.errors import DataError


class DataUnavailableError(DataError):
    """A price source could not be asked (network, rate limit, outage, deadline)."""

    code = "data_unavailable"


class NotQuotedError(DataError):
    """A source that does not serve this ticker (an exchange and a stock, a pair it lacks).

    Its own class for the chain's sake only: when no source serves a ticker it reaches the
    caller as the ``bad_data`` it always was."""


class SourcesDisagreeError(DataError):
    """Two sources' closes differ by more than ``SOURCE_TOLERANCE`` on a common day."""

    code = "sources_disagree"
