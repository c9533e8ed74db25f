"""AWS Signature Version 4 for body-less S3 requests, on the standard library.

Why our own: the serving reader must not import botocore (a third of the cold-start budget).
The tests hold every canonical request and signature to botocore's ``S3SigV4Auth``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "EMPTY_SHA256",
    "Credentials",
    "canonical_query",
    "canonical_request",
    "env_credentials",
    "sign",
    "uri_encode_key",
]

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class Credentials:
    """What signs a request; ``token`` is the session token of temporary credentials."""

    access_key: str
    secret_key: str
    token: str | None = None


def env_credentials(env: Mapping[str, str] | None = None) -> tuple[Credentials, str] | None:
    """Credentials and region from the environment, or None (then botocore decides)."""
    values = os.environ if env is None else env
    key, secret = values.get("AWS_ACCESS_KEY_ID"), values.get("AWS_SECRET_ACCESS_KEY")
    region = values.get("AWS_REGION") or values.get("AWS_DEFAULT_REGION")
    if not (key and secret and region):
        return None
    return Credentials(key, secret, values.get("AWS_SESSION_TOKEN") or None), region


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def uri_encode_key(key: str) -> str:
    """An object key as it goes in the request path (and the canonical URI): UTF-8, RFC 3986.

    Every byte but the unreserved characters and ``/`` is percent-encoded, as botocore's S3
    serializer does; S3 signs the path as sent, without normalizing it.
    """
    return urllib.parse.quote(key, safe="/~")


def canonical_query(query: Mapping[str, str]) -> str:
    """The query string as SigV4 wants it (and as we send it): RFC 3986 encoded, then sorted."""
    return "&".join(
        sorted(
            f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
            for k, v in query.items()
        )
    )


def _signed_headers(host: str, stamp: str, credentials: Credentials) -> dict[str, str]:
    headers = {"host": host, "x-amz-content-sha256": EMPTY_SHA256, "x-amz-date": stamp}
    if credentials.token:
        headers["x-amz-security-token"] = credentials.token
    return headers


def canonical_request(
    method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]
) -> str:
    """SigV4's canonical request of a body-less request (``path`` already URI-encoded)."""
    names = sorted(headers)
    return "\n".join(
        [
            method,
            path,
            canonical_query(query),
            "".join(f"{n}:{' '.join(headers[n].split())}\n" for n in names),
            ";".join(names),
            EMPTY_SHA256,
        ]
    )


def sign(
    method: str,
    host: str,
    path: str,
    query: Mapping[str, str],
    credentials: Credentials,
    region: str,
    now: dt.datetime,
) -> dict[str, str]:
    """The headers of a signed body-less S3 request (``path`` already URI-encoded)."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    headers = _signed_headers(host, stamp, credentials)
    canonical = canonical_request(method, path, query, headers)
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(("AWS4" + credentials.secret_key).encode(), day)
    for part in (region, "s3", "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    signed = ";".join(sorted(headers))
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    return headers
