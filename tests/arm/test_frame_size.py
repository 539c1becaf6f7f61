"""The small-frame copies of the public models (frame_size.py) differ from the published files in their frame-size
constants only: rewriting a copy back to the native size gives the published graph again, byte for byte."""

from __future__ import annotations

import pytest
from fixtures.data import PUBLIC_MODELS
from frame_size import at_frame_size

from mobilevsr_rt.tflite_flatbuffer import read_flatbuffer, write_flatbuffer

NATIVE = {"mai22_mobilerrn_16": (320, 180), "swrn": (320, 180), "mai21_diggers": (180, 320)}


@pytest.mark.parametrize("name", list(NATIVE))
def test_small_copy_changes_only_frame_size_constants(name, tmp_path):
    published = PUBLIC_MODELS / f"{name}.tflite"
    small = tmp_path / "small.tflite"
    small.write_bytes(at_frame_size(published, NATIVE[name], (48, 32)))
    original, copy = read_flatbuffer(published), read_flatbuffer(small)
    changed = [i for i, (a, b) in enumerate(zip(original.buffers, copy.buffers, strict=True))
               if (a.data is None) != (b.data is None) or (a.data is not None and bytes(a.data) != bytes(b.data))]
    assert changed, "nothing was rewritten"
    assert all(len(original.buffers[i].data) in (8, 16) for i in changed), "only 2- or 4-integer constants change"
    assert len(copy.subgraphs[0].operators) == len(original.subgraphs[0].operators)
    back = at_frame_size(small, (48, 32), NATIVE[name])
    assert back == write_flatbuffer(original)


def test_a_model_without_size_constants_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no constant holds its 100x100 frame size"):
        at_frame_size(PUBLIC_MODELS / "swrn.tflite", (100, 100), (48, 32))
