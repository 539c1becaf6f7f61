"""int8 inputs/outputs (the int8-I/O export): the runtime converts pixels to and from int8, carries int8 state
between runs, and gives exactly what the reference loop gives for the same file, and exactly what the uint8-I/O file
it was made from gives (``fixups.int8_io`` only moves the zero point by 128: the same real values)."""

from __future__ import annotations

import pytest
from fixtures.streaming import assert_frames_equal, outputs, stream
from reference_loop import run_clip

from mobilevsr_rt.analysis import analyze_model
from mobilevsr_rt.training.export.fixups import int8_io

INT8_FIXTURES = ["single_int8", "recurrent_int8", "sliding_int8", "separate_bgr_int8"]


@pytest.fixture(scope="module")
def int8_io_dir(fixture_dir, manifest, tmp_path_factory):
    """The uint8-I/O INT8 fixtures rewritten with int8 inputs and outputs."""
    out = tmp_path_factory.mktemp("int8_io")
    for name in INT8_FIXTURES:
        (out / manifest[name]["file"]).write_bytes(int8_io((fixture_dir / manifest[name]["file"]).read_bytes()))
    return out


@pytest.mark.parametrize("name", INT8_FIXTURES)
def test_int8_io_matches_reference_and_uint8_file(rt, fixture_dir, manifest, int8_io_dir, fixture_frames, name):
    entry = manifest[name]
    path = int8_io_dir / entry["file"]
    stats, before = analyze_model(path.read_bytes()), analyze_model((fixture_dir / entry["file"]).read_bytes())
    assert {t["dtype"] for t in stats["inputs"] + stats["outputs"]} == {"int8"}
    # Every input/output's uint8<->int8 QUANTIZE was a pure zero-point shift: gone (a float island's stay).
    ends = len(stats["inputs"]) + len(stats["outputs"])
    assert stats["ops"].get("QUANTIZE", 0) <= before["ops"]["QUANTIZE"] - ends, (stats["ops"], before["ops"])
    want = run_clip(path, entry["contract"], fixture_frames)
    with rt.Upscaler(path, contract=entry["contract"], accelerator="cpu", num_threads=1) as up:
        got = outputs(stream(up, fixture_frames))
        in_place = up.info["strategy"]["hr_output"]
    assert_frames_equal(got, want)
    with rt.Upscaler(fixture_dir / entry["file"], contract=entry["contract"], accelerator="cpu", num_threads=1) as up:
        assert_frames_equal(got, outputs(stream(up, fixture_frames)))
        assert in_place == up.info["strategy"]["hr_output"]  # int8 output: written in place as uint8 is, or not


def test_int8_io_state_moves_like_uint8_state(rt, fixture_dir, manifest, int8_io_dir):
    """State pairs keep their transfer (swap when both ends share type and quantization, requantize otherwise)."""
    entry = manifest["recurrent_int8"]
    modes = []
    for path in (fixture_dir / entry["file"], int8_io_dir / entry["file"]):
        with rt.Upscaler(path, accelerator="cpu", num_threads=1) as up:
            modes.append([pair["transfer"] for pair in up.info["state_pairs"]])
    assert modes[0] == modes[1] and modes[0], modes


def test_int8_io_leaves_a_float_model_alone(fixture_dir, manifest):
    """A float model has no uint8 ends: the very same bytes come back."""
    data = (fixture_dir / manifest["sliding_fp32"]["file"]).read_bytes()
    assert int8_io(data) == data
