"""Which S3 endpoints the stdlib reader may talk to; for every other one serving uses botocore.

The reader signs SigV4 for service ``s3`` in the configured region and builds the host itself.
That is right for the commercial ``aws`` partition and for an S3-compatible endpoint set in the
environment (MinIO, LocalStack, moto). It is wrong, or at least unproven, for other partitions
(``amazonaws.com.cn``, ``aws-us-gov``, the ISO regions), FIPS and dual-stack endpoints, S3
Express directory buckets and bucket names that cannot be a TLS host name: there botocore's
endpoint rules decide, and a signature computed for the wrong host would only fail at run time.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ReaderEndpoint", "endpoint_override", "reader_endpoint"]

_AWS_REGION = re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$")
"""Regions of the ``aws`` partition (botocore's ``regionRegex``): not ``us-gov-*``, ``cn-*``."""

_DNS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
"""A bucket that can be the first label of ``<bucket>.s3.<region>.amazonaws.com`` under TLS."""

_OTHER_AWS_HOSTS = re.compile(
    r"(\.amazonaws\.com\.cn|\.c2s\.ic\.gov|\.sc2s\.sgov\.gov)$|fips|dualstack|us-gov"
)


def endpoint_override(env: Mapping[str, str] | None = None) -> str | None:
    """The S3 endpoint the environment sets (MinIO, LocalStack, moto), as botocore reads it."""
    values = os.environ if env is None else env
    return values.get("AWS_ENDPOINT_URL_S3") or values.get("AWS_ENDPOINT_URL") or None


_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ReaderEndpoint:
    """Where the reader sends a bucket's requests."""

    secure: bool
    host: str
    base_path: str
    """Path of the bucket: ``""`` for virtual-hosted style, ``/bucket`` for path style."""

    @property
    def url(self) -> str:
        return f"{'https' if self.secure else 'http'}://{self.host}"


def reader_endpoint(
    bucket: str,
    region: str,
    override: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ReaderEndpoint | None:
    """Where to read ``bucket``, or ``None`` when only botocore knows how to.

    ``override`` is ``AWS_ENDPOINT_URL_S3``/``AWS_ENDPOINT_URL``; ``env`` holds botocore's
    ``AWS_USE_FIPS_ENDPOINT`` and ``AWS_USE_DUALSTACK_ENDPOINT`` switches.
    """
    flags = env or {}
    if any(
        flags.get(f"AWS_USE_{kind}_ENDPOINT", "").lower() in _TRUE for kind in ("FIPS", "DUALSTACK")
    ):
        return None
    if not _DNS_BUCKET.match(bucket) or bucket.endswith("--x-s3"):
        return None
    if override:
        parsed = urllib.parse.urlsplit(override)
        host = (parsed.hostname or "").lower()
        if parsed.scheme not in {"http", "https"} or not host or _OTHER_AWS_HOSTS.search(host):
            return None
        # MinIO, LocalStack, moto: path style, as the botocore store uses with an override
        return ReaderEndpoint(
            parsed.scheme == "https", parsed.netloc, f"{parsed.path.rstrip('/')}/{bucket}"
        )
    if not _AWS_REGION.match(region):
        return None
    return ReaderEndpoint(True, f"{bucket}.s3.{region}.amazonaws.com", "")
