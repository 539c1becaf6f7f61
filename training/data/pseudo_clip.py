"""Pseudo-clips from still images: a virtual camera pans (sub-pixel translation) and zooms over the image.

Translation and zoom are axis-aligned, so each frame is a separable resampling ``rows @ image @ cols.T`` with the
same cubic kernel as :mod:`.bicubic` (antialiased when the camera zooms out). Frame 0 sits on the pixel grid at
zoom 1, so it reproduces the image pixels exactly; later frames move by ``velocity`` pixels and scale by
``exp(zoom_rate)`` per frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pydantic import StrictFloat

from .bicubic import sample_matrix

__all__ = ["CameraMotion", "min_image_side", "render_pseudo_clip"]


@dataclass(frozen=True)
class CameraMotion:
    """Limits of the random virtual camera, per frame: ``max_shift`` HR pixels, ``max_zoom`` log-scale."""

    # Read by pydantic when an experiment file sets these fields (train/config.py): no unknown keys, no strings.
    __pydantic_config__ = {"extra": "forbid"}

    max_shift: StrictFloat = 2.0
    max_zoom: StrictFloat = 0.01


def _extent(size: int, frames: int, motion: CameraMotion) -> float:
    """Half-extent (pixels) of the region the central ``size`` samples of any frame cover, around its centre."""
    return (size - 1) / 2.0 * math.exp(motion.max_zoom * (frames - 1))


def min_image_side(size: int, frames: int, motion: CameraMotion) -> int:
    """Smallest image side that keeps the central ``size x size`` part of every frame inside the image."""
    return math.ceil(2 * _extent(size, frames, motion) + 2 * motion.max_shift * (frames - 1)) + 2


def _axis_matrices(length: int, size: int, core: int, frames: int, shift: float, zoom: float,
                   rng: np.random.Generator) -> list[np.ndarray]:
    """Per-frame sampling matrices along one image axis (same zoom on both axes, independent shifts).

    The central ``core`` samples stay inside the image; the outer ones may fall outside and are mirrored, like the
    symmetric padding of a whole-frame resize.
    """
    half = _extent(core, frames, CameraMotion(abs(shift), abs(zoom)))
    travel = shift * (frames - 1)
    lo = half + max(0.0, -travel)
    hi = length - 1 - half - max(0.0, travel)
    # Frame 0 on the pixel grid: its first sample lands on an integer position.
    first = rng.integers(math.ceil(lo - (core - 1) / 2.0), math.floor(hi - (core - 1) / 2.0) + 1)
    centre0 = first - (size - core) / 2.0 + (size - 1) / 2.0
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    matrices = []
    for t in range(frames):
        spacing = math.exp(zoom * t)
        positions = centre0 + shift * t + offsets * spacing
        matrices.append(sample_matrix(length, positions, kernel_scale=min(1.0, 1.0 / spacing)))
    return matrices


def _support(matrix: np.ndarray) -> tuple[int, int]:
    used = np.flatnonzero(np.any(matrix != 0.0, axis=0))
    return int(used[0]), int(used[-1]) + 1


def render_pseudo_clip(image: np.ndarray, size: int, frames: int, motion: CameraMotion,
                       rng: np.random.Generator, core: int | None = None) -> np.ndarray:
    """Render ``frames`` frames of ``size x size`` pixels (uint8 ``[T, size, size, 3]``) from an ``HxWx3`` image.

    The central ``core x core`` pixels (default: all) of every frame stay inside the image. Raises ``ValueError``
    if the image is smaller than ``min_image_side(core, frames, motion)``.
    """
    core = size if core is None else core
    if (size - core) % 2:
        raise ValueError("size - core must be even")
    need = min_image_side(core, frames, motion)
    if min(image.shape[:2]) < need:
        raise ValueError(f"image {image.shape[:2]} too small for {frames} frames of {size}px (needs {need}px)")
    shift_y, shift_x = rng.uniform(-motion.max_shift, motion.max_shift, size=2)
    zoom = float(rng.uniform(-motion.max_zoom, motion.max_zoom))
    rows = _axis_matrices(image.shape[0], size, core, frames, float(shift_y), zoom, rng)
    cols = _axis_matrices(image.shape[1], size, core, frames, float(shift_x), zoom, rng)
    data = np.moveaxis(image, -1, 0).astype(np.float64)  # channels first: batched BLAS products
    out = np.empty((frames, image.shape[2], size, size), dtype=np.uint8)
    for t in range(frames):
        r0, r1 = _support(rows[t])
        c0, c1 = _support(cols[t])
        # Only the rows/columns a frame touches take part (the matrices are banded).
        frame = rows[t][:, r0:r1] @ data[:, r0:r1, c0:c1] @ cols[t][:, c0:c1].T
        out[t] = np.floor(np.clip(frame, 0.0, 255.0) + 0.5)
    return np.ascontiguousarray(out.transpose(0, 2, 3, 1))
