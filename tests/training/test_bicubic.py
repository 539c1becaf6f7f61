"""MATLAB-compatible bicubic: against a direct, loop-based transcription of the imresize algorithm, exact hand
derived values, and invariants (constants, linear ramps)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mobilevsr_rt.training.data.bicubic import imresize, matlab_downscale, matlab_upscale


def _cubic(x: float) -> float:
    a = abs(x)
    if a <= 1:
        return 1.5 * a**3 - 2.5 * a**2 + 1
    if a <= 2:
        return -0.5 * a**3 + 2.5 * a**2 - 4 * a + 2
    return 0.0


def _reference_1d(signal: list[float], out_len: int, scale: float) -> list[float]:
    """imresize along one dimension, written out literally (1-based indexes, mirrored 'aux' index array)."""
    n = len(signal)
    antialias = scale < 1
    width = 4 / scale if antialias else 4
    aux = list(range(1, n + 1)) + list(range(n, 0, -1))  # symmetric padding
    out = []
    for x in range(1, out_len + 1):
        u = x / scale + 0.5 * (1 - 1 / scale)
        left = math.floor(u - width / 2)
        taps = math.ceil(width) + 2
        weights, values = [], []
        for k in range(taps):
            j = left + k
            w = scale * _cubic(scale * (u - j)) if antialias else _cubic(u - j)
            weights.append(w)
            values.append(signal[aux[(j - 1) % (2 * n)] - 1])
        total = sum(weights)
        out.append(sum(w * v for w, v in zip(weights, values, strict=True)) / total)
    return out


def _reference_2d(image: np.ndarray, out_shape: tuple[int, int], scale: float, round_u8: bool) -> np.ndarray:
    rows = np.array([_reference_1d(list(image[:, c]), out_shape[0], scale) for c in range(image.shape[1])]).T
    if round_u8:
        rows = np.floor(np.clip(rows, 0, 255) + 0.5)
    out = np.array([_reference_1d(list(rows[r]), out_shape[1], scale) for r in range(out_shape[0])])
    if round_u8:
        out = np.floor(np.clip(out, 0, 255) + 0.5)
    return out


@pytest.mark.parametrize(("shape", "scale"), [((12, 16), 0.25), ((9, 7), 0.5), ((5, 6), 4.0), ((10, 8), 1 / 3)])
def test_float_matches_direct_formula(shape, scale):
    rng = np.random.default_rng(1)
    image = rng.uniform(0, 255, size=shape)
    out_shape = (math.ceil(shape[0] * scale), math.ceil(shape[1] * scale))
    got = imresize(image, scale)
    assert got.shape == out_shape
    np.testing.assert_allclose(got, _reference_2d(image, out_shape, scale, False), rtol=0, atol=1e-9)


def test_uint8_rounds_after_each_pass_like_matlab():
    rng = np.random.default_rng(2)
    image = rng.integers(0, 256, size=(16, 20, 3), dtype=np.uint8)
    got = imresize(image, 0.25)
    assert got.dtype == np.uint8 and got.shape == (4, 5, 3)
    for c in range(3):
        want = _reference_2d(image[..., c].astype(np.float64), (4, 5), 0.25, True)
        np.testing.assert_array_equal(got[..., c], want.astype(np.uint8))


def test_exact_hand_derived_values():
    # [0, 1, 2, 3] at scale 1/2: output 1 sits at u = 1.5 (1-based); the kernel 0.5*cubic(0.5*d) has weights
    # -3/256, -9/256, 29/256, 111/256, 111/256, 29/256, -9/256, -3/256 on indexes -3..4, which mirror to values
    # 2, 1, 0, 0, 1, 2, 3, 3: sum = (-6 - 9 + 0 + 0 + 111 + 58 - 27 - 9) / 256 = 118/256 = 59/128.
    got = imresize(np.array([[0.0, 1.0, 2.0, 3.0]]), output_shape=(1, 2), scale=0.5)
    # the row pass on a single row is the identity (a constant column), so only the column pass acts
    np.testing.assert_allclose(got[0], [59 / 128, 3 - 59 / 128], rtol=0, atol=1e-12)


@pytest.mark.parametrize("value", [0, 1, 77, 254, 255])
def test_constant_stays_constant(value):
    image = np.full((37, 29, 3), value, dtype=np.uint8)
    assert np.all(matlab_downscale(image) == value)
    assert np.all(matlab_upscale(image[:8, :8]) == value)
    np.testing.assert_allclose(imresize(image.astype(np.float64), 0.25), float(value), atol=1e-9)


def test_linear_ramp_is_reproduced_away_from_borders():
    # Normalized symmetric kernels reproduce linear functions: LR pixel j (0-based) samples HR position 4j + 1.5.
    ramp = np.tile(np.arange(64, dtype=np.float64), (8, 1))
    got = imresize(ramp, output_shape=(2, 16), scale=0.25)
    np.testing.assert_allclose(got[:, 2:-2], np.tile(4 * np.arange(2, 14) + 1.5, (2, 1)), atol=1e-9)


def test_downscale_crops_to_multiple_of_factor():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(19, 23, 3), dtype=np.uint8)
    np.testing.assert_array_equal(matlab_downscale(image), imresize(image[:16, :20], 0.25))
    assert matlab_upscale(matlab_downscale(image)).shape == (16, 20, 3)


def test_old_names_are_deprecated_aliases():
    from mobilevsr_rt.training.data import bicubic

    for old, new in (("downscale", matlab_downscale), ("upscale", matlab_upscale)):
        with pytest.warns(DeprecationWarning, match=f"bicubic.{old} is deprecated: use .*matlab_{old}"):
            assert getattr(bicubic, old) is new
