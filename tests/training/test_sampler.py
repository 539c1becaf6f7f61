"""Training samples: exact LR crops, consistent augmentation, pseudo-clips, seeded reproducibility (numpy only)."""

from __future__ import annotations

import numpy as np
import pytest
from training_helpers import real_frames, write_png

from mobilevsr_rt.training.data import readers
from mobilevsr_rt.training.data.bicubic import matlab_downscale
from mobilevsr_rt.training.data.pseudo_clip import CameraMotion, min_image_side, render_pseudo_clip
from mobilevsr_rt.training.data.sampler import Augment, ImageSource, Sampler, VideoSource, lr_crop


def _assert_lr_is_downscale_of_hr(lr: np.ndarray, hr: np.ndarray) -> None:
    """Interior of the LR equals the bicubic downscale of the HR, resized rows-first or (after a transpose
    augmentation, since uint8 rounding after each pass makes the order matter) columns-first."""
    lr8, hr8 = np.rint(lr * 255).astype(np.uint8), np.rint(hr * 255).astype(np.uint8)
    rows_first = matlab_downscale(hr8)[3:-3, 3:-3]
    cols_first = matlab_downscale(hr8.transpose(1, 0, 2)).transpose(1, 0, 2)[3:-3, 3:-3]
    inner = lr8[3:-3, 3:-3]
    assert np.array_equal(inner, rows_first) or np.array_equal(inner, cols_first)


def test_lr_crop_equals_crop_of_whole_frame_downscale():
    frame = real_frames(count=1)[0]  # 256x448 real frame
    whole = matlab_downscale(frame)
    h, w = whole.shape[:2]
    for y, x in [(0, 0), (5, 7), (h - 16, w - 16), (0, w - 16), (31, 1)]:
        np.testing.assert_array_equal(lr_crop(frame, y, x, 16), whole[y: y + 16, x: x + 16])


@pytest.fixture
def video_source(tiny_clips):
    return VideoSource(readers.read_clip_folders(tiny_clips), frames=3, patch=12)


def test_video_samples_are_consistent_pairs(video_source):
    sampler = Sampler([video_source], augment=Augment(flip=True, rot90=True, reverse=True), seed=3)
    for i in range(12):
        lr, hr = sampler.sample(i)
        assert lr.shape == (3, 12, 12, 3) and hr.shape == (3, 48, 48, 3) and lr.dtype == np.float32
        for t in range(3):
            # Away from the patch border the LR must be the bicubic downscale of the (augmented) HR: same
            # flips/transposes and the same temporal order on both.
            _assert_lr_is_downscale_of_hr(lr[t], hr[t])


def test_sampling_is_a_function_of_seed_and_index(video_source):
    a, b = Sampler([video_source], seed=7), Sampler([video_source], seed=7)
    for i in (0, 5, 123):
        for x, y in zip(a.sample(i), b.sample(i), strict=True):
            np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.sample(0)[1], a.sample(1)[1])
    assert not np.array_equal(a.sample(0)[1], Sampler([video_source], seed=8).sample(0)[1])


def test_provided_lr_frames_are_used(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(3):
        write_png(tmp_path / "train_sharp" / "000" / f"{i:08d}.png", rng.integers(0, 256, (64, 64, 3)))
        write_png(tmp_path / "train_sharp_bicubic" / "X4" / "000" / f"{i:08d}.png", np.full((16, 16, 3), 10 * i))
    source = VideoSource(readers.read_reds(tmp_path), frames=3, patch=8)
    lr, _ = Sampler([source], augment=Augment(False, False, False)).sample(0)
    assert [int(round(float(v) * 255)) for v in lr[:, 0, 0, 0]] == [0, 10, 20]


def test_pseudo_clip_moves_and_starts_on_the_pixel_grid():
    image = real_frames(count=1)[0]
    clip = render_pseudo_clip(image, 40, 4, CameraMotion(max_shift=3.0, max_zoom=0.02), np.random.default_rng(4))
    assert clip.shape == (4, 40, 40, 3) and clip.dtype == np.uint8
    hits = [(y, x) for y in range(image.shape[0] - 39) for x in range(image.shape[1] - 39)
            if np.array_equal(image[y: y + 40, x: x + 40], clip[0])]
    assert len(hits) == 1  # frame 0 is an exact crop
    assert all(not np.array_equal(clip[0], clip[t]) for t in range(1, 4))  # the camera moved
    still = render_pseudo_clip(image, 40, 4, CameraMotion(0.0, 0.0), np.random.default_rng(4))
    assert all(np.array_equal(still[0], still[t]) for t in range(4))
    with pytest.raises(ValueError, match="too small"):
        render_pseudo_clip(image[:40, :40], 40, 4, CameraMotion(), np.random.default_rng(0))


def test_image_source_skips_small_images(tmp_path):
    frame = real_frames(count=1)[0]
    write_png(tmp_path / "big.png", frame)
    write_png(tmp_path / "small.png", frame[:50, :50])
    source = ImageSource(readers.read_image_folder(tmp_path), frames=3, patch=16)
    assert source.skipped == 1 and [p.name for p in source.images] == ["big.png"]
    assert min_image_side(64, 3, CameraMotion()) > 64
    lr, hr = Sampler([source], seed=1).sample(0)
    assert lr.shape == (3, 16, 16, 3) and hr.shape == (3, 64, 64, 3)
    # LR of pseudo-clips is the bicubic downscale too (interior, as for real clips)
    _assert_lr_is_downscale_of_hr(lr[1], hr[1])


def test_source_weights(video_source, tmp_path):
    write_png(tmp_path / "img" / "big.png", real_frames(count=1)[0])
    images = ImageSource(readers.read_image_folder(tmp_path / "img"), frames=3, patch=12)
    sampler = Sampler([video_source, images], weights=[0.0, 1.0], seed=0, augment=Augment(False, False, False))
    for i in range(5):  # weight 0: every sample comes from the image (whose frame 0 is an exact crop of it)
        _, hr = sampler.sample(i)
        assert hr.shape == (3, 48, 48, 3)
    with pytest.raises(ValueError):
        Sampler([video_source], weights=[-1.0])
