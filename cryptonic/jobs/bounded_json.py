"""JSON from outside the process (a queue's message body, the store's ``tickers.json``), parsed
within bounds.

``json.loads`` recurses once per level of nesting: ``[[[[...]]]]`` a few thousand deep raises
``RecursionError``, which is no ``ValueError`` and so escapes every handler written for bad
input (the dispatch then sends nothing; one bad SQS message fails its whole batch). And a file or
message of many megabytes costs memory before anything can say it is wrong. So every document
we did not write ourselves is measured first, without recursion: its size, then its nesting
depth (a scan of the brackets outside strings), and only then parsed. Whatever is wrong comes
back as a ``ValueError`` that says what and by how much, the error every caller already handles.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

__all__ = ["MAX_DEPTH", "loads_bounded", "nesting_depth"]

MAX_DEPTH: Final = 32
"""Nesting any document of ours needs (a job message is 1 deep, ``tickers.json`` 2) many times
over, and far below what makes the parser recurse out of the interpreter's stack."""

_SPECIAL: Final = re.compile(r'[\[\]{}"\\]')


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (brackets inside strings do not
    count): one pass over its brackets, quotes and backslashes, never a recursion."""
    depth = deepest = 0
    in_string = False
    escaped = -1
    for match in _SPECIAL.finditer(text):
        at, char = match.start(), match.group()
        if at == escaped:
            continue
        if in_string:
            if char == "\\":
                escaped = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def loads_bounded(
    data: str | bytes, *, what: str, max_bytes: int, max_depth: int = MAX_DEPTH
) -> Any:
    """``data`` parsed as JSON, or ``ValueError`` naming ``what`` when it is larger than
    ``max_bytes``, nested deeper than ``max_depth``, not UTF-8 or not JSON."""
    size = len(data.encode() if isinstance(data, str) else data)
    if size > max_bytes:
        raise ValueError(f"{what} is {size} bytes; at most {max_bytes} are accepted")
    try:
        text = data.decode() if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise ValueError(f"{what} is not UTF-8 text ({exc})") from exc
    depth = nesting_depth(text)
    if depth > max_depth:
        raise ValueError(f"{what} is nested {depth} levels deep; at most {max_depth} are accepted")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{what} is not JSON ({exc})") from exc
