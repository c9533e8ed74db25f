"""Output levels stored in the .tflite itself: written, read back, replaced, absent."""

from __future__ import annotations

import pytest

from cryptonic.errors import ModelError
from cryptonic.forecast.tflite_metadata import read_metadata, with_metadata
from cryptonic.training.model.export import convert_to_tflite

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tflite(trained_tiny_model):
    return convert_to_tflite(trained_tiny_model)


def test_export_records_the_levels_and_a_rewrite_replaces_them(tflite):
    assert read_metadata(tflite) == {"interval_level": 0.8, "quantiles": [0.1, 0.5, 0.9]}
    rewritten = with_metadata(tflite, {"quantiles": [0.2, 0.5, 0.8]})
    assert read_metadata(rewritten) == {"quantiles": [0.2, 0.5, 0.8]}
    assert rewritten[4:8] == b"TFL3"


def test_a_model_without_our_record_reads_none(tflite):
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    model.metadata = [m for m in model.metadata if m.name != b"cryptonic.outputs"]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    assert read_metadata(bytes(builder.Output())) is None


def test_garbage_is_a_model_error():
    with pytest.raises(ModelError, match=r"not a \.tflite"):
        with_metadata(b"\x00" * 16, {})
