"""MATLAB-compatible bicubic resampling (the ``imresize`` protocol behind published BI x4 numbers).

One dimension at a time, each output sample is a normalized weighted sum of input samples:

* kernel: Keys cubic with a = -0.5;
* when downscaling (``scale < 1``) with antialiasing the kernel is stretched by ``1/scale`` and scaled by ``scale``;
* output pixel ``x`` (1-based) maps to input coordinate ``u = x / scale + 0.5 * (1 - 1 / scale)``;
* samples outside the image are mirrored (symmetric padding: ``-1 -> 0``, ``n -> n - 1``);
* the weights of each output sample are normalized to sum to 1.

MATLAB resizes rows first when both scale factors are equal. For ``uint8`` input MATLAB rounds (half away from
zero) and saturates after *each* dimension pass; :func:`imresize` does the same. Float input stays float.
"""

from __future__ import annotations

import math

import numpy as np

from mobilevsr_rt._deprecation import deprecated_aliases

__all__ = ["cubic_kernel", "imresize", "matlab_downscale", "matlab_upscale", "resize_matrix", "sample_matrix"]


def cubic_kernel(x: np.ndarray) -> np.ndarray:
    """Keys cubic convolution kernel with a = -0.5 (MATLAB's ``cubic``)."""
    ax = np.abs(np.asarray(x, dtype=np.float64))
    ax2, ax3 = ax * ax, ax * ax * ax
    near = (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1.0)
    far = (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * ((ax > 1.0) & (ax <= 2.0))
    return near + far


def _mirror(indices: np.ndarray, length: int) -> np.ndarray:
    """Map 0-based indices outside [0, length) to their symmetric (edge-repeating) reflection."""
    period = np.mod(indices, 2 * length)
    return np.where(period < length, period, 2 * length - 1 - period)


def sample_matrix(in_length: int, centers: np.ndarray, kernel_scale: float = 1.0) -> np.ndarray:
    """Dense ``[len(centers), in_length]`` matrix sampling a signal at arbitrary 0-based positions.

    ``kernel_scale < 1`` stretches the cubic kernel by ``1 / kernel_scale`` (antialiasing). Out-of-range taps are
    mirrored into the signal, and every row is normalized to sum to 1.
    """
    centers = np.asarray(centers, dtype=np.float64)
    width = 4.0 / kernel_scale
    taps = math.ceil(width) + 2
    left = np.floor(centers - width / 2.0).astype(np.int64)
    idx = left[:, None] + np.arange(taps)[None, :]
    dist = centers[:, None] - idx
    weights = kernel_scale * cubic_kernel(kernel_scale * dist)
    weights /= weights.sum(axis=1, keepdims=True)
    matrix = np.zeros((centers.shape[0], in_length), dtype=np.float64)
    rows = np.broadcast_to(np.arange(centers.shape[0])[:, None], idx.shape)
    np.add.at(matrix, (rows, _mirror(idx, in_length)), weights)
    return matrix


def resize_matrix(in_length: int, out_length: int, scale: float, antialias: bool = True) -> np.ndarray:
    """Dense ``[out_length, in_length]`` weight matrix of MATLAB ``imresize`` (bicubic) along one dimension."""
    x = np.arange(1, out_length + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)  # 1-based input coordinate
    kernel_scale = scale if (scale < 1.0 and antialias) else 1.0
    return sample_matrix(in_length, u - 1.0, kernel_scale)


def _round_u8(x: np.ndarray) -> np.ndarray:
    # MATLAB rounds half away from zero; values are clipped to >= 0 first, so floor(x + 0.5) is the same.
    return np.floor(np.clip(x, 0.0, 255.0) + 0.5)


def imresize(image: np.ndarray, scale: float | None = None, output_shape: tuple[int, int] | None = None,
             antialias: bool = True) -> np.ndarray:
    """Resize an ``HxW`` or ``HxWxC`` image like MATLAB ``imresize(image, scale, 'bicubic')``.

    Give ``scale`` (output size is ``ceil(scale * size)``) or ``output_shape`` ``(H, W)``. ``uint8`` input returns
    ``uint8`` (rounded after each pass, as MATLAB does); other input returns float64.
    """
    is_u8 = image.dtype == np.uint8
    # Channels first so that both passes are plain (batched) BLAS matrix products.
    data = np.moveaxis(image, -1, 0).astype(np.float64) if image.ndim == 3 else image.astype(np.float64)
    in_h, in_w = image.shape[:2]
    if output_shape is None:
        if scale is None:
            raise ValueError("give scale or output_shape")
        scales = (float(scale), float(scale))
        output_shape = (math.ceil(scale * in_h), math.ceil(scale * in_w))
    else:
        scales = (output_shape[0] / in_h, output_shape[1] / in_w) if scale is None else (float(scale), float(scale))
    # MATLAB resizes the dimension with the smaller scale first; rows first on ties.
    order = (0, 1) if scales[0] <= scales[1] else (1, 0)
    for dim in order:
        matrix = resize_matrix((in_h, in_w)[dim], output_shape[dim], scales[dim], antialias)
        data = matrix @ data if dim == 0 else data @ matrix.T
        if is_u8:
            data = _round_u8(data)
    if image.ndim == 3:
        data = np.moveaxis(data, 0, -1)
    return data.astype(np.uint8) if is_u8 else data


def matlab_downscale(image: np.ndarray, factor: int = 4) -> np.ndarray:
    """MATLAB ``imresize(image, 1/factor)`` (bicubic, antialiased): the BI degradation of training and evaluation
    data; the image is first cropped to a multiple of ``factor``."""
    h, w = image.shape[:2]
    image = image[: h - h % factor, : w - w % factor]
    return imresize(image, output_shape=(image.shape[0] // factor, image.shape[1] // factor), scale=1.0 / factor)


def matlab_upscale(image: np.ndarray, factor: int = 4) -> np.ndarray:
    """MATLAB ``imresize(image, factor)`` (bicubic): the "bicubic" baseline of SR tables. (Pictures for people use
    Pillow's bicubic instead: ``mobilevsr_rt.media.pillow_bicubic_resize``.)"""
    h, w = image.shape[:2]
    return imresize(image, output_shape=(h * factor, w * factor), scale=float(factor))


__getattr__ = deprecated_aliases(globals(), {"downscale": "matlab_downscale", "upscale": "matlab_upscale"})
