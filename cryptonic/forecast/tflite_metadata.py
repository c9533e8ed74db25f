"""What a ``.tflite`` says about its own outputs: a small JSON record in the flatbuffer's metadata.

A quantile model's output is (1, 7, Q); which quantile each of the Q columns is cannot be read off
a shape. The export writes the levels into the model file itself (TFLite's ``metadata`` table,
which the interpreter ignores), so a ``.tflite`` copied out of the store still says what it
forecasts. Serving reads it only when the manifest did not say (the API passes the manifest's
levels), so the flatbuffer schema module is imported lazily.

Uses the flatbuffer schema that ships with ai-edge-litert (numpy and flatbuffers, no
TensorFlow): the same code runs on both sides.
"""

from __future__ import annotations

import json
from typing import Any

from cryptonic.errors import ModelError

METADATA_NAME = "cryptonic.outputs"
"""Name of our metadata entry; its buffer holds UTF-8 JSON such as {"quantiles": [...]}."""
FILE_IDENTIFIER = b"TFL3"


def with_metadata(tflite: bytes, record: dict[str, Any]) -> bytes:
    """The same model with ``record`` stored as its ``cryptonic.outputs`` metadata (replaced
    when present)."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    _check_identifier(tflite)
    try:
        model = schema.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    except Exception as exc:  # flatbuffers raises struct errors and IndexErrors on garbage
        raise ModelError(f"not a .tflite flatbuffer: {exc}") from exc
    buffer = schema.BufferT()
    buffer.data = list(json.dumps(record, sort_keys=True).encode())
    model.buffers = [*(model.buffers or []), buffer]
    entry = schema.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    others = [m for m in (model.metadata or []) if _name(m.name) != METADATA_NAME]
    model.metadata = [*others, entry]
    builder = flatbuffers.Builder(len(tflite) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=FILE_IDENTIFIER)
    return bytes(builder.Output())


def read_metadata(tflite: bytes) -> dict[str, Any] | None:
    """Our record in the model's metadata, or None when it has none (models exported before
    intervals existed)."""
    from ai_edge_litert import schema_py_generated as schema

    _check_identifier(tflite)
    try:
        model = schema.Model.GetRootAs(tflite, 0)
        for i in range(model.MetadataLength()):
            entry = model.Metadata(i)
            if _name(entry.Name()) == METADATA_NAME:
                data = model.Buffers(entry.Buffer()).DataAsNumpy()
                record = json.loads(bytes(data).decode())
                return record if isinstance(record, dict) else None
    except (ValueError, IndexError, TypeError, UnicodeDecodeError) as exc:
        raise ModelError(f"unreadable .tflite metadata: {exc}") from exc
    return None


def _check_identifier(tflite: bytes) -> None:
    if tflite[4:8] != FILE_IDENTIFIER:
        raise ModelError("not a .tflite flatbuffer: no TFL3 file identifier")


def _name(value: str | bytes | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
