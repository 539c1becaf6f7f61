"""Frames of any size: resize when the graph allows, else pad or tile (per-tile state), optionally transposed."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from fixtures.data import lr_frames

PUBLIC_MODELS = Path(__file__).resolve().parents[2] / ".." / "shared" / "models"


def run(up, frames):
    out = [o for o in (up.process(f) for f in frames) if o is not None]
    return out + up.flush()


def open_fixture(rt, fixture_dir, manifest, name, **kwargs):
    return rt.Upscaler(fixture_dir / manifest[name]["file"], accelerator="cpu", num_threads=1, **kwargs)


@pytest.mark.parametrize("name", ["single_fp32", "single_int8"])
def test_tiles_equal_whole_frame_resize_when_overlap_covers_receptive_field(rt, fixture_dir, manifest, name):
    """The fixture's receptive field radius is 2 LR pixels; an 8-pixel overlap keeps 4 on each side: exact."""
    frames = lr_frames(3, top=40, left=100, height=40, width=52)
    with open_fixture(rt, fixture_dir, manifest, name) as whole:
        want = run(whole, frames)
        assert whole.info["strategy"]["name"] == "resize"
    with open_fixture(rt, fixture_dir, manifest, name, fit="tile", tile_overlap=8, allow_transpose=False) as tiled:
        got = run(tiled, frames)
        strategy = tiled.info["strategy"]
    assert strategy["name"] == "tile" and strategy["tiles"] > 1 and strategy["tile_size"] == [12, 16]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == (160, 208, 3)
        assert np.array_equal(g, w)


def test_small_frame_is_padded_and_cropped(rt, fixture_dir, manifest):
    """A frame smaller than the model: edge-padded; away from the padded edges it equals a resized run."""
    frames = lr_frames(2, top=50, left=60, height=9, width=10)
    with open_fixture(rt, fixture_dir, manifest, "single_fp32", fit="tile") as padded:
        got = run(padded, frames)
        assert padded.info["strategy"]["name"] == "pad"
    with open_fixture(rt, fixture_dir, manifest, "single_fp32") as whole:
        want = run(whole, frames)
    radius = 2  # receptive field of the fixture, in LR pixels
    for g, w in zip(got, want, strict=True):
        assert g.shape == (36, 40, 3)
        assert np.array_equal(g[: (9 - radius) * 4, : (10 - radius) * 4], w[: (9 - radius) * 4, : (10 - radius) * 4])


def split_axis(length: int, tile: int, overlap: int) -> list[tuple[int, int, int]]:
    """(start, keep_begin, keep_end) per tile along one axis, as documented: overlap <= tile/2, tiles evenly spread,
    cut mid-overlap."""
    if length <= tile:
        return [(0, 0, length)]
    overlap = min(overlap, tile // 2)
    count = -(-(length - tile) // (tile - overlap)) + 1
    starts = [round(i * (length - tile) / (count - 1)) for i in range(count)]
    cuts = [0] + [(starts[i] + starts[i - 1] + tile) // 2 for i in range(1, count)] + [length]
    return [(starts[i], cuts[i], cuts[i + 1]) for i in range(count)]


def test_recurrent_tiles_keep_their_own_state(rt, fixture_dir, manifest):
    """Each tile is its own clip with its own state: stitching independent per-tile runs gives the same bytes."""
    frames = lr_frames(6, top=30, left=90, height=40, width=52)
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32", fit="tile", tile_overlap=8,
                      allow_transpose=False) as tiled:
        got = run(tiled, frames)
        assert tiled.info["strategy"]["grid"] == [len(split_axis(40, 12, 8)), len(split_axis(52, 16, 8))]
    want = [np.zeros_like(g) for g in got]
    for y0, ky0, ky1 in split_axis(40, 12, 8):
        for x0, kx0, kx1 in split_axis(52, 16, 8):
            with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32") as one_tile:
                outputs = run(one_tile, [np.ascontiguousarray(f[y0:y0 + 12, x0:x0 + 16]) for f in frames])
            for w, o in zip(want, outputs, strict=True):
                w[ky0 * 4:ky1 * 4, kx0 * 4:kx1 * 4] = o[(ky0 - y0) * 4:(ky1 - y0) * 4, (kx0 - x0) * 4:(kx1 - x0) * 4]
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w)


def test_recurrent_tiles_follow_the_untiled_run(rt, fixture_dir, manifest):
    """Tiled vs untiled recurrent run. Frame 0 (zero state) is exact; then each frame's state convolutions widen the
    receptive field by ~3 pixels, so with these tiny 12x16 tiles (3-4 kept pixels of margin) the tile border reaches
    the kept region from frame 1 on. Measured mean/max |diff| per frame: (0, 0), (0.66, 16), (1.30, 19): tolerance
    for the first three frames mean < 2, max <= 32. Production tiles (the model's 180x320 with a 16+ pixel overlap)
    have far more margin."""
    frames = lr_frames(3, top=30, left=90, height=40, width=52)
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32") as whole:
        want = run(whole, frames)
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32", fit="tile", tile_overlap=8,
                      allow_transpose=False) as tiled:
        got = run(tiled, frames)
    assert np.array_equal(got[0], want[0])
    diffs = [np.abs(g.astype(int) - w.astype(int)) for g, w in zip(got, want, strict=True)]
    report = [(round(float(d.mean()), 4), int(d.max())) for d in diffs]
    assert all(d.mean() < 2 and d.max() <= 32 for d in diffs), report


def test_landscape_frame_through_portrait_model_is_transposed_back(rt, fixture_dir, manifest):
    """16x12 frames on a 12x16 model that cannot be resized (fit='tile'): run transposed, returned upright."""
    frames = lr_frames(2, top=20, left=20, height=16, width=12)
    with open_fixture(rt, fixture_dir, manifest, "single_fp32", fit="tile") as up:
        got = run(up, frames)
        strategy = up.info["strategy"]
    assert strategy["transpose"] is True and strategy["tiles"] == 1
    with open_fixture(rt, fixture_dir, manifest, "single_fp32") as reference:
        want = [w.transpose(1, 0, 2) for w in run(reference, [np.ascontiguousarray(f.transpose(1, 0, 2))
                                                               for f in frames])]
    for g, w in zip(got, want, strict=True):
        assert g.shape == (64, 48, 3)
        assert np.array_equal(g, w)


@pytest.mark.parametrize("name", ["recurrent_fp32", "recurrent_int8", "sliding_int8", "separate_bgr_int8",
                                  "chunk4_fp32"])
def test_tiles_as_one_batch_equal_tiles_in_sequence(rt, fixture_dir, manifest, name):
    """A batch keeps each tile's window and state in its own batch slice: the bytes equal the sequential run."""
    frames = lr_frames(5, top=30, left=90, height=40, width=52)
    got, strategies = {}, {}
    contract = None if manifest[name]["auto"] else manifest[name]["contract"]
    for mode in ("on", "off"):
        with open_fixture(rt, fixture_dir, manifest, name, fit="tile", tile_overlap=8, allow_transpose=False,
                          tile_batch=mode, contract=contract) as up:
            got[mode] = run(up, frames)
            strategies[mode] = up.info["strategy"]
    assert strategies["on"]["batched"] and strategies["on"]["tiles"] > 1, strategies["on"]
    assert not strategies["off"]["batched"] and strategies["off"]["batch_choice"] == 'sequence (tile_batch="off")'
    assert len(got["on"]) == len(got["off"]) == len(frames)
    for batched, sequential in zip(got["on"], got["off"], strict=True):
        assert np.array_equal(batched, sequential)


def test_tile_batch_auto_measures_once_and_says_so(rt, fixture_dir, manifest):
    frames = lr_frames(3, top=30, left=90, height=40, width=52)
    with open_fixture(rt, fixture_dir, manifest, "recurrent_int8", fit="tile", tile_overlap=8,
                      allow_transpose=False) as up:
        first = run(up, frames)
        choice = up.info["strategy"]["batch_choice"]
        again = run(up, frames)  # same frame size: the decision is reused, same bytes
        assert up.info["strategy"]["batch_choice"] == choice
        batched = up.info["strategy"]["batched"]
    assert re.fullmatch(r"(batch|sequence): measured one batch of \d+ tiles [\d.]+ ms vs \d+ runs in sequence "
                        r"[\d.]+ ms", choice), choice
    assert batched == choice.startswith("batch")
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))


def test_native_clip_after_a_batched_clip_runs_at_batch_one(rt, fixture_dir, manifest):
    """A new clip at the model's own size after a batched tiled clip: the batch is undone, output as a fresh model."""
    frames = lr_frames(3, top=30, left=90, height=40, width=52)
    small = [np.ascontiguousarray(f[:12, :16]) for f in frames]
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32", fit="tile", tile_overlap=8, tile_batch="on",
                      allow_transpose=False) as up:
        run(up, frames)
        assert up.info["strategy"]["batched"]
        up.reset()
        after = run(up, small)
        assert up.info["strategy"]["tiles"] == 1 and not up.info["strategy"]["batched"]
        assert all(t["shape"][0] == 1 for t in up.info["inputs"])
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32") as fresh:
        want = run(fresh, small)
    assert all(np.array_equal(a, b) for a, b in zip(after, want, strict=True))


def test_tile_batch_must_be_known(rt, fixture_dir, manifest):
    with pytest.raises(ValueError, match="tile_batch"):
        open_fixture(rt, fixture_dir, manifest, "single_fp32", tile_batch="sometimes")


def resize_frames(frames, height, width):
    from PIL import Image

    return [np.asarray(Image.fromarray(f).resize((width, height), Image.BICUBIC)) for f in frames]


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mai22_mobilerrn_16", "swrn"])
@pytest.mark.parametrize("size", [(144, 176), (540, 960), (1080, 1920)])
def test_public_models_take_any_frame_size(rt, model, size):
    """The public models cannot be resized: small frames are padded, large ones tiled; shapes are right."""
    frames = resize_frames(lr_frames(2), *size)
    with rt.Upscaler(PUBLIC_MODELS / f"{model}.tflite", accelerator="cpu", num_threads=2) as up:
        got = run(up, frames)
        strategy = up.info["strategy"]
    assert strategy["name"] == ("pad" if size == (144, 176) else "tile")
    assert strategy["resize_error"]
    assert strategy["batch_choice"] if strategy["tiles"] > 1 else strategy["batch_choice"] is None
    assert [g.shape for g in got] == [(size[0] * 4, size[1] * 4, 3)] * 2


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mai22_mobilerrn_16", "swrn"])
def test_public_model_seam_is_invisible(rt, model):
    """Around the cut between two tiles, the tiled output equals a native run on a crop centred on the cut."""
    from PIL import Image

    source = PUBLIC_MODELS / ".." / "data" / "val_videos" / "sam2_bedroom" / "00000000.png"
    frame = np.asarray(Image.open(source).convert("RGB"))[100:420, 300:600].copy()  # real 320x300 crop
    assert frame.shape == (320, 300, 3)
    with rt.Upscaler(PUBLIC_MODELS / f"{model}.tflite", accelerator="cpu", num_threads=2, allow_transpose=False) as up:
        tiled = run(up, [frame])[0]
        strategy = up.info["strategy"]
    assert strategy["grid"] == [1, 2]
    cut = (0 + 120 + 180) // 2  # tiles start at 0 and 120 (evenly spread), the cut is mid-overlap
    crop_left = cut - 90
    with rt.Upscaler(PUBLIC_MODELS / f"{model}.tflite", accelerator="cpu", num_threads=2) as native:
        crop = run(native, [np.ascontiguousarray(frame[:, crop_left:crop_left + 180])])[0]
    band = 16  # LR columns each side of the cut
    got = tiled[:, (cut - band) * 4:(cut + band) * 4].astype(int)
    want = crop[:, (cut - crop_left - band) * 4:(cut - crop_left + band) * 4].astype(int)
    diff = np.abs(got - want)
    assert diff.max() <= 2, (float(diff.mean()), int(diff.max()))
