"""Image quality metrics as used in SR papers: PSNR and SSIM on RGB or on the BT.601 luma (Y) channel.

Conventions (MATLAB-compatible): pixels are compared on the 0..255 scale; Y is MATLAB's ``rgb2ycbcr`` luma
``16 + 65.481 R + 128.553 G + 24.966 B`` with R, G, B in [0, 1] (not rounded); SSIM is Wang et al.'s with an
11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, evaluated where the window fits (valid region) and
averaged over channels. ``crop_border`` drops that many pixels on each side first.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["psnr", "rgb_to_y", "ssim"]

_Y_WEIGHTS = np.array([65.481, 128.553, 24.966], dtype=np.float64)


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Luma ``[H, W]`` on the 16..235 scale from RGB ``[H, W, 3]`` on the 0..255 scale."""
    return 16.0 + (np.asarray(image, dtype=np.float64) / 255.0) @ _Y_WEIGHTS


def _prepare(a: np.ndarray, b: np.ndarray, crop_border: int, y_channel: bool) -> tuple[np.ndarray, np.ndarray]:
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch {a.shape} vs {b.shape}")
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if crop_border:
        inner = (slice(crop_border, -crop_border), slice(crop_border, -crop_border))
        a, b = a[inner], b[inner]
    if y_channel:
        a, b = rgb_to_y(a), rgb_to_y(b)
    return a, b


def psnr(a: np.ndarray, b: np.ndarray, crop_border: int = 0, y_channel: bool = False,
         data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio in dB (``inf`` for identical images)."""
    a, b = _prepare(a, b, crop_border, y_channel)
    mse = float(np.mean((a - b) ** 2))
    return math.inf if mse == 0.0 else 10.0 * math.log10(data_range**2 / mse)


def _gaussian_window(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-(x**2) / (2.0 * sigma**2))
    return g / g.sum()


def _filter_valid(image: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Separable 'valid' correlation of a 2-D image with a 1-D window along both axes."""
    n = window.shape[0]
    rows = np.lib.stride_tricks.sliding_window_view(image, n, axis=0) @ window
    return np.lib.stride_tricks.sliding_window_view(rows, n, axis=1) @ window


def _ssim_plane(a: np.ndarray, b: np.ndarray, data_range: float) -> float:
    window = _gaussian_window()
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_a, mu_b = _filter_valid(a, window), _filter_valid(b, window)
    var_a = _filter_valid(a * a, window) - mu_a**2
    var_b = _filter_valid(b * b, window) - mu_b**2
    cov = _filter_valid(a * b, window) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(ssim_map.mean())


def ssim(a: np.ndarray, b: np.ndarray, crop_border: int = 0, y_channel: bool = False,
         data_range: float = 255.0) -> float:
    """Structural similarity (mean over the valid region, averaged over channels)."""
    a, b = _prepare(a, b, crop_border, y_channel)
    if min(a.shape[:2]) < 11:
        raise ValueError(f"SSIM needs at least 11x11 pixels, got {a.shape[:2]}")
    if a.ndim == 2:
        return _ssim_plane(a, b, data_range)
    return float(np.mean([_ssim_plane(a[..., c], b[..., c], data_range) for c in range(a.shape[-1])]))
