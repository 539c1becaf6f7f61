"""The runtime reproduces the reference loop bit for bit on the three public models, at their real frame size.

The models carry no contract: the runtime must recognise their layouts and pixel ranges by itself; the reference
loop is given the contracts written from ../shared/models/README.md.
"""

from __future__ import annotations

import pytest
from fixtures.data import PUBLIC, PUBLIC_MODELS
from fixtures.streaming import assert_frames_equal, state_pairs, stream
from reference_loop import run_clip

THREADS = 2


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PUBLIC))
def test_public_model_matches_reference(rt, name):
    contract, layout, make_frames = PUBLIC[name]
    frames = make_frames()
    path = PUBLIC_MODELS / f"{name}.tflite"
    with rt.Upscaler(path, accelerator="cpu", num_threads=THREADS) as up:
        info = up.info
        assert info["layout"] == layout
        assert float(info["pixel_range"]) == contract["pixel_range"]
        assert list(info["input_offsets"]) == contract["frame_inputs"]["offsets"]
        assert list(info["output_offsets"]) == contract["frame_outputs"]["offsets"]
        assert state_pairs(info) == [[s["input"], s["output"]] for s in contract.get("state", [])]
        results, flushed = stream(up, frames)
    delay = max(contract["frame_inputs"]["offsets"])
    assert [r is None for r in results] == [True] * delay + [False] * (len(frames) - delay)
    want = run_clip(path, contract, frames, num_threads=THREADS)
    assert_frames_equal([r for r in results if r is not None] + list(flushed), want)
