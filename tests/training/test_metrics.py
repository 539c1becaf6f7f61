"""PSNR / SSIM against scikit-image on the same arrays; BT.601 luma against known values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mobilevsr_rt.training import metrics

skm = pytest.importorskip("skimage.metrics")


def _pair(seed: int, shape=(48, 41, 3), noise=25):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, size=shape, dtype=np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-noise, noise + 1, size=shape), 0, 255).astype(np.uint8)
    return a, b


def _sk_ssim(a, b, channel_axis=None):
    return skm.structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                     data_range=255, channel_axis=channel_axis)


@pytest.mark.parametrize("seed", [0, 1])
def test_rgb_matches_skimage(seed):
    a, b = _pair(seed)
    assert metrics.psnr(a, b) == pytest.approx(skm.peak_signal_noise_ratio(a, b, data_range=255), abs=1e-10)
    assert metrics.ssim(a, b) == pytest.approx(_sk_ssim(a, b, channel_axis=2), abs=1e-10)


def test_y_channel_and_border_crop_match_skimage():
    a, b = _pair(2, noise=10)
    ya, yb = metrics.rgb_to_y(a)[4:-4, 4:-4], metrics.rgb_to_y(b)[4:-4, 4:-4]
    assert metrics.psnr(a, b, crop_border=4, y_channel=True) == pytest.approx(
        skm.peak_signal_noise_ratio(ya, yb, data_range=255), abs=1e-10)
    assert metrics.ssim(a, b, crop_border=4, y_channel=True) == pytest.approx(_sk_ssim(ya, yb), abs=1e-10)


def test_luma_known_values():
    pixels = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255]]], dtype=np.uint8)
    np.testing.assert_allclose(metrics.rgb_to_y(pixels)[0], [16.0, 235.0, 81.481, 144.553, 40.966], atol=1e-9)


def test_identical_and_known_mse():
    a = np.full((16, 16, 3), 100, np.uint8)
    assert metrics.psnr(a, a) == math.inf
    assert metrics.ssim(a, a) == pytest.approx(1.0)
    # MSE 1 -> 20 log10(255)
    assert metrics.psnr(a, a + 1) == pytest.approx(20 * math.log10(255.0))
