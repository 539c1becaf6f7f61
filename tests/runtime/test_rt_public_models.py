"""The runtime reproduces the reference loop bit for bit on the three public models, at their real frame size.

The models carry no contract: the runtime must recognise their layouts and pixel ranges by itself; the reference
loop is given the contracts written from ../shared/models/README.md.
"""

from __future__ import annotations

import pytest
from conftest import PUBLIC_MODELS, lr_frames, portrait_frames
from reference_loop import run_clip
from test_rt_bitwise_fixtures import assert_frames_equal, state_pairs, stream

THREADS = 2


def _contract(offsets_in, offsets_out, pixel_range, state=None):
    c = {"contract_version": 1, "scale": 4,
         "frame_inputs": {"tensors": ["input_1"], "layout": "stacked", "offsets": offsets_in},
         "frame_outputs": {"tensors": ["Identity"], "layout": "stacked", "offsets": offsets_out},
         "pixel_range": pixel_range}
    if state:
        c["state"] = [{"input": "input_2", "output": "Identity_1"}]
    return c


PUBLIC = {
    # name: (contract from the README, layout the runtime should recognise, frames)
    "mai22_mobilerrn_16": (_contract([-1, 0], [0], 255.0, state=True), "recurrent", lambda: portrait_frames(4)),
    "swrn": (_contract([-1, 0, 1], [0], 255.0, state=True), "sliding_recurrent", lambda: portrait_frames(4)),
    "mai21_diggers": (_contract(list(range(10)), list(range(10)), 1.0), "stacked_chunk", lambda: lr_frames(12)),
}


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
