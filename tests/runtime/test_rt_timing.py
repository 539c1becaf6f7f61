"""Upscaler.timing(): where process()/flush() time goes (model run vs the runtime's own work), counted in C++."""

from __future__ import annotations

import numpy as np
import pytest


def open_cpu(rt, fixture_dir, manifest, name):
    return rt.Upscaler(fixture_dir / manifest[name]["file"], accelerator="cpu", num_threads=1)


@pytest.mark.parametrize("name", ["sliding_int8", "recurrent_fp32", "chunk4_fp32"])
def test_timing_counts_calls_frames_and_runs(rt, fixture_dir, manifest, fixture_frames, name):
    with open_cpu(rt, fixture_dir, manifest, name) as up:
        start = up.timing()
        assert start["calls"] == start["frames"] == start["model_runs"] == 0  # opening is not process() time
        returned = sum(up.process(f) is not None for f in fixture_frames)
        flushed = len(up.flush())
        t = up.timing()
        assert t["calls"] == len(fixture_frames) + 1
        assert t["frames"] == returned + flushed == len(fixture_frames)
        per_run = len(up.info["output_offsets"])
        # First-frame warm-up runs are counted too: at least one run per `per_run` output frames.
        assert t["model_runs"] >= len(fixture_frames) // per_run
        assert t["model_ms"] > 0 and t["runtime_ms"] >= 0
        assert t["total_ms"] == pytest.approx(t["model_ms"] + t["runtime_ms"])
        assert t["model_ms_per_frame"] == pytest.approx(t["model_ms"] / t["frames"])


def test_timing_clear_starts_afresh(rt, fixture_dir, manifest, fixture_frames):
    with open_cpu(rt, fixture_dir, manifest, "recurrent_int8") as up:
        for f in fixture_frames[:3]:
            up.process(f)
        before = up.timing(clear=True)
        assert before["frames"] == 3
        after_clear = up.timing()
        assert after_clear["calls"] == after_clear["frames"] == after_clear["model_runs"] == 0
        assert after_clear["model_ms"] == 0 and after_clear["total_ms"] == 0
        up.process(fixture_frames[3])
        one = up.timing()
        assert (one["calls"], one["frames"], one["model_runs"]) == (1, 1, 1)


def test_timing_after_close_raises(rt, fixture_dir, manifest):
    up = open_cpu(rt, fixture_dir, manifest, "single_fp32")
    up.close()
    with pytest.raises(RuntimeError, match="closed"):
        up.timing()


@pytest.mark.parametrize("name", ["recurrent_fp32", "recurrent_int8", "sliding_int8", "chunk4_fp32"])
def test_run_model_only_leaves_the_stream_untouched(rt, fixture_dir, manifest, fixture_frames, name):
    """The benchmarks' bare loop runs the Upscaler's own model between process() calls: outputs stay identical to an
    undisturbed stream, and those runs are not counted as process() time."""
    with open_cpu(rt, fixture_dir, manifest, name) as plain:
        want = [plain.process(f) for f in fixture_frames] + plain.flush()
    with open_cpu(rt, fixture_dir, manifest, name) as up:
        with pytest.raises(ValueError, match="clip in progress"):
            up._core.run_model_only()
        got = []
        for f in fixture_frames:
            got.append(up.process(f))
            for _ in range(2):
                up._core.run_model_only()
        got += up.flush()
        t = up.timing()
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)
    per_run = len(manifest[name]["contract"]["frame_outputs"]["offsets"])
    assert t["model_runs"] <= len(fixture_frames) // per_run + 3  # the 16 bare runs are not in it


def test_run_model_only_with_state_swap_keeps_the_stream_running(rt, fixture_dir, manifest, fixture_frames):
    """With swap_states (the benchmarks' bare loop) the state moves on by each bare run, as a loop's would: the
    stream keeps producing frames of the right size, and the runs are still not process() time."""
    with open_cpu(rt, fixture_dir, manifest, "recurrent_fp32") as up:
        assert up.info["state_pairs"][0]["transfer"] == "swap"
        shapes = []
        for f in fixture_frames:
            out = up.process(f)
            shapes.append(out.shape)
            up._core.run_model_only(swap_states=True)
        assert len(set(shapes)) == 1 and up.timing()["model_runs"] <= len(fixture_frames) + 2
