"""Streaming semantics of Upscaler.process/flush/reset on the fixture models, checked against the reference loop."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures.data import lr_frames
from fixtures.streaming import assert_frames_equal, stream
from reference_loop import run_clip

STREAMING_MODELS = ["single_fp32", "recurrent_int8", "sliding_fp32", "sliding_int8", "chunk4_fp32"]


def open_cpu(rt, fixture_dir, manifest, name):
    return rt.Upscaler(fixture_dir / manifest[name]["file"], accelerator="cpu", num_threads=1)


@pytest.mark.parametrize("name", STREAMING_MODELS)
@pytest.mark.parametrize("n_frames", [1, 2, 5, 9])
def test_one_output_per_input_in_order(rt, fixture_dir, manifest, fixture_frames, name, n_frames):
    """Short clips too (shorter than the lookahead or a chunk): every frame gets exactly its own output."""
    entry = manifest[name]
    frames = (fixture_frames * 2)[:n_frames]
    want = run_clip(fixture_dir / entry["file"], entry["contract"], frames)
    with open_cpu(rt, fixture_dir, manifest, name) as up:
        results, flushed = stream(up, frames)
    got = [r for r in results if r is not None] + flushed
    assert_frames_equal(got, want)


def test_chunk_model_returns_one_frame_per_call(rt, fixture_dir, manifest, fixture_frames):
    """A 4-in/4-out model: None for the first 3 calls, then one queued frame per call; flush runs the partial chunk."""
    frames = (fixture_frames * 2)[:10]
    with open_cpu(rt, fixture_dir, manifest, "chunk4_fp32") as up:
        assert up.info["lookahead"] == 3
        results, flushed = stream(up, frames)
    assert [r is None for r in results] == [True] * 3 + [False] * 7
    assert len(flushed) == 3


def test_flush_on_empty_clip_returns_nothing(rt, fixture_dir, manifest):
    with open_cpu(rt, fixture_dir, manifest, "sliding_fp32") as up:
        assert list(up.flush()) == []


def test_reset_reproduces_outputs(rt, fixture_dir, manifest, fixture_frames):
    """reset() clears history and state: the same clip again gives the same outputs (also after a partial clip)."""
    with open_cpu(rt, fixture_dir, manifest, "sliding_int8") as up:
        first = stream(up, fixture_frames)
        up.reset()
        second = stream(up, fixture_frames)
        for f in fixture_frames[::-1][:5]:  # an abandoned clip: frames pending in the window and non-zero state
            up.process(f)
        up.reset()
        third = stream(up, fixture_frames)
    for other in (second, third):
        assert_frames_equal([r for r in other[0] if r is not None] + other[1],
                            [r for r in first[0] if r is not None] + first[1])


def test_flush_ends_the_clip(rt, fixture_dir, manifest, fixture_frames):
    """After flush() the next frame starts a new clip: streaming the same clip again gives the same outputs."""
    with open_cpu(rt, fixture_dir, manifest, "recurrent_int8") as up:
        first = stream(up, fixture_frames)
        second = stream(up, fixture_frames)
    assert_frames_equal(second[0] + second[1], first[0] + first[1])


@pytest.mark.parametrize("variant", ["rgba", "non_contiguous", "rgba_non_contiguous"])
def test_rgba_and_strided_frames_equal_rgb(rt, fixture_dir, manifest, fixture_frames, variant):
    def convert(f: np.ndarray) -> np.ndarray:
        if variant == "rgba":
            return np.dstack([f, np.random.default_rng(0).integers(0, 256, f.shape[:2], np.uint8)])
        big = np.zeros((f.shape[0] * 2, f.shape[1] * 3, 4 if variant.startswith("rgba") else 3), np.uint8)
        big[::2, ::3, :3] = f
        big[::2, ::3, 3:] = 77
        view = big[::2, ::3]
        assert not view.flags.c_contiguous
        return view

    with open_cpu(rt, fixture_dir, manifest, "recurrent_fp32") as up:
        want = stream(up, fixture_frames)
        up.reset()
        got = stream(up, [convert(f) for f in fixture_frames])
    assert_frames_equal(got[0] + got[1], want[0] + want[1])


def test_channels_last_view_of_planar_frame(rt, fixture_dir, manifest, fixture_frames):
    """A transposed (CHW -> HWC) view has unusual strides; the result must not depend on them."""
    with open_cpu(rt, fixture_dir, manifest, "single_int8") as up:
        for f in fixture_frames[:3]:
            view = np.ascontiguousarray(f.transpose(2, 0, 1)).transpose(1, 2, 0)
            assert np.array_equal(up.process(view), up.process(f))


@pytest.mark.parametrize("name", ["single_fp32", "single_int8", "recurrent_int8", "sliding_fp32", "chunk4_fp32",
                                  "separate_bgr_int8"])
@pytest.mark.parametrize("size", [(20, 24), (9, 13)])
def test_resized_inputs_match_reference(rt, fixture_dir, manifest, name, size):
    """Frames of another size than the model's: the runtime resizes the (fully convolutional) model's inputs."""
    entry = manifest[name]
    frames = lr_frames(6, top=60, left=140, height=size[0], width=size[1])
    want = run_clip(fixture_dir / entry["file"], entry["contract"], frames)
    with rt.Upscaler(fixture_dir / entry["file"], accelerator="cpu", num_threads=1,
                     contract=None if entry["auto"] else entry["contract"]) as up:
        results, flushed = stream(up, frames)
    got = [r for r in results if r is not None] + flushed
    assert got[0].shape == (4 * size[0], 4 * size[1], 3)
    assert_frames_equal(got, want)


def test_reset_allows_a_new_frame_size(rt, fixture_dir, manifest, fixture_frames):
    entry = manifest["recurrent_int8"]
    other = lr_frames(4, top=30, left=30, height=16, width=20)
    with open_cpu(rt, fixture_dir, manifest, "recurrent_int8") as up:
        stream(up, fixture_frames[:3])
        up.reset()
        results, flushed = stream(up, other)
        up.reset()
        back = stream(up, fixture_frames)
    assert_frames_equal(results + flushed, run_clip(fixture_dir / entry["file"], entry["contract"], other))
    assert_frames_equal(back[0] + back[1], run_clip(fixture_dir / entry["file"], entry["contract"], fixture_frames))


def test_outputs_are_independent_arrays(rt, fixture_dir, manifest, fixture_frames):
    """A returned frame must not be overwritten by later calls (no aliasing of internal buffers)."""
    with open_cpu(rt, fixture_dir, manifest, "single_fp32") as up:
        first = up.process(fixture_frames[0])
        kept = first.copy()
        for f in fixture_frames[1:]:
            up.process(f)
        up.flush()
    assert np.array_equal(first, kept)


@pytest.mark.parametrize(("name", "in_place"), [("recurrent_int8", True), ("sliding_int8", True),
                                                ("recurrent_fp32", False)])
def test_hr_frames_written_in_place_stay_distinct(rt, fixture_dir, manifest, fixture_frames, name, in_place):
    """A uint8 pass-through output is written by LiteRT straight into the returned frame: every frame kept by the
    caller must still hold its own pixels after later frames ran, and be an ordinary writable array."""
    entry = manifest[name]
    want = run_clip(fixture_dir / entry["file"], entry["contract"], fixture_frames)
    with open_cpu(rt, fixture_dir, manifest, name) as up:
        results, flushed = stream(up, fixture_frames)
        assert up.info["strategy"]["hr_output"] == ("in_place" if in_place else "converted")
    got = [r for r in results if r is not None] + flushed
    assert_frames_equal(got, want)
    for i, frame in enumerate(got):
        assert frame.flags.c_contiguous and frame.flags.writeable
        assert not any(np.shares_memory(frame, other) for other in got[i + 1:])
    got[0][:] = 0  # the caller may write into a frame without touching later ones
    assert_frames_equal(got[1:], want[1:])


@pytest.mark.parametrize("name", ["single_fp32", "single_int8", "chunk4_fp32"])
def test_dropped_hr_frames_are_recycled(rt, fixture_dir, manifest, fixture_frames, name):
    """A frame the caller dropped lends its memory to a later frame (no page faults for fresh memory every frame);
    frames still held are never handed out twice."""
    with open_cpu(rt, fixture_dir, manifest, name) as up:
        seen = set()
        held = []
        for f in fixture_frames * 2:
            out = up.process(f)
            if out is not None:
                seen.add(out.__array_interface__["data"][0])
                held.append((out, out.copy()))
                if len(held) > 2:
                    held.pop(0)  # the caller keeps the two newest frames
                assert not np.shares_memory(held[0][0], held[-1][0]) or len(held) == 1
        per_run = len(manifest[name]["contract"]["frame_outputs"]["offsets"])
        assert len(seen) <= per_run + 3 < 2 * len(fixture_frames)
        for frame, copy in held:  # nothing wrote into a held frame
            np.testing.assert_array_equal(frame, copy)
