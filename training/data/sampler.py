"""Deterministic training-sample generator (numpy): sample ``i`` depends only on ``(seed, i)``.

That makes training resumable without saving iterator state: after a restart at step ``s`` the pipeline restarts at
sample index ``s * global_batch`` and yields exactly the samples the interrupted run would have seen.

A sample is ``(lr, hr)``: float32 ``[T, p, p, 3]`` and ``[T, s*p, s*p, 3]`` in [0, 1], a random window of T
consecutive frames with a random aligned crop. LR frames are uint8-quantized bicubic downscales (as if they had
been saved as PNG, like the LR of the published BI protocol), or the dataset's own LR frames when it ships them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import StrictBool

from .bicubic import matlab_downscale
from .pseudo_clip import CameraMotion, min_image_side, render_pseudo_clip
from .readers import Clip, frame_size, load_frame

__all__ = ["Augment", "ImageSource", "Sampler", "VideoSource", "augment_pair", "lr_crop"]

# LR pixels of real context kept around a crop before downscaling; the x1/4 antialiased kernel reaches 2 LR pixels.
_LR_MARGIN = 3


@dataclass(frozen=True)
class Augment:
    """Which random augmentations to apply (each with probability 1/2)."""

    # Read by pydantic when an experiment file sets these fields (train/config.py): no unknown keys, no strings.
    __pydantic_config__ = {"extra": "forbid"}

    flip: StrictBool = True
    rot90: StrictBool = True
    reverse: StrictBool = True


def lr_crop(hr: np.ndarray, y: int, x: int, size: int, scale: int = 4) -> np.ndarray:
    """LR crop ``[y:y+size, x:x+size]`` of ``matlab_downscale(hr, scale)``, computed from a small HR neighbourhood only.

    Exactly equal to downscaling the whole frame and cropping: inner borders keep ``_LR_MARGIN`` LR pixels of real
    context; crops touching the frame edge see the same symmetric padding as the whole frame.
    """
    h, w = hr.shape[0] // scale, hr.shape[1] // scale
    top, left = min(_LR_MARGIN, y), min(_LR_MARGIN, x)
    bottom, right = min(h, y + size + _LR_MARGIN), min(w, x + size + _LR_MARGIN)
    region = hr[(y - top) * scale: bottom * scale, (x - left) * scale: right * scale]
    return matlab_downscale(region, scale)[top: top + size, left: left + size]


def augment_pair(lr: np.ndarray, hr: np.ndarray, augment: Augment,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Apply the same random flips / transpose / temporal reversal to ``[T, H, W, C]`` LR and HR stacks."""
    flips = rng.random(4) < 0.5  # always draw 4 numbers so the stream does not depend on the switches
    if augment.flip and flips[0]:
        lr, hr = lr[:, :, ::-1], hr[:, :, ::-1]
    if augment.flip and flips[1]:
        lr, hr = lr[:, ::-1], hr[:, ::-1]
    if augment.rot90 and flips[2]:  # with the flips above, a transpose reaches all 8 rotations/reflections
        lr, hr = lr.transpose(0, 2, 1, 3), hr.transpose(0, 2, 1, 3)
    if augment.reverse and flips[3]:
        lr, hr = lr[::-1], hr[::-1]
    return lr, hr


class VideoSource:
    """Random windows of real clips; LR from the clip's own LR frames if given, else bicubic x1/scale."""

    def __init__(self, clips: Sequence[Clip], frames: int, patch: int, scale: int = 4, cache_frames: int = 256,
                 name: str = "video"):
        self.name = name
        self.frames, self.patch, self.scale = frames, patch, scale
        self.clips = []
        for clip in clips:
            h, w = frame_size(clip.frames[0])
            if len(clip) >= frames and min(h // scale, w // scale) >= patch:
                self.clips.append(clip)
        if not self.clips:
            raise ValueError(f"{name}: no clip with >= {frames} frames of >= {patch * scale}px")
        self._load = functools.lru_cache(maxsize=cache_frames)(load_frame)
        # The whole frame's LR, made once per cached frame: crops of it equal lr_crop() of the HR frame exactly,
        # at a fraction of the cost of downscaling every window's frames again.
        self._load_lr = functools.lru_cache(maxsize=cache_frames)(
            lambda path: matlab_downscale(self._load(path), scale))

    def draw(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One ``(lr, hr)`` uint8 window."""
        clip = self.clips[rng.integers(len(self.clips))]
        start = int(rng.integers(len(clip) - self.frames + 1))
        s, p = self.scale, self.patch
        first = self._load(clip.frames[start])
        lr_h, lr_w = first.shape[0] // s, first.shape[1] // s
        y, x = int(rng.integers(lr_h - p + 1)), int(rng.integers(lr_w - p + 1))
        lr, hr = [], []
        for t in range(start, start + self.frames):
            frame = self._load(clip.frames[t])
            hr.append(frame[y * s: (y + p) * s, x * s: (x + p) * s])
            if clip.lr_frames is not None:
                lr.append(self._load(clip.lr_frames[t])[y: y + p, x: x + p])
            else:
                lr.append(self._load_lr(clip.frames[t])[y: y + p, x: x + p])
        return np.stack(lr), np.stack(hr)


class ImageSource:
    """Pseudo-clips rendered from still images by a randomly panning and zooming virtual camera."""

    def __init__(self, images: Sequence[Path], frames: int, patch: int, scale: int = 4,
                 motion: CameraMotion | None = None, cache_frames: int = 256, name: str = "images"):
        self.name = name
        motion = motion or CameraMotion()
        self.frames, self.patch, self.scale, self.motion = frames, patch, scale, motion
        # HR frames are rendered with LR context on each side so the LR crop sees real neighbours.
        self.render_size = (patch + 2 * _LR_MARGIN) * scale
        need = min_image_side(patch * scale, frames, motion)
        self.images = [p for p in images if min(frame_size(p)) >= need]
        self.skipped = len(images) - len(self.images)
        if not self.images:
            raise ValueError(f"{name}: no image with sides >= {need}px")
        self._load = functools.lru_cache(maxsize=cache_frames)(load_frame)

    def draw(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One ``(lr, hr)`` uint8 window."""
        image = self._load(self.images[rng.integers(len(self.images))])
        clip = render_pseudo_clip(image, self.render_size, self.frames, self.motion, rng, core=self.patch * self.scale)
        m, p, s = _LR_MARGIN, self.patch, self.scale
        lr = np.stack([matlab_downscale(frame, s)[m: m + p, m: m + p] for frame in clip])
        return lr, clip[:, m * s: (m + p) * s, m * s: (m + p) * s]


class Sampler:
    """Mixes sources by weight and augments; ``sample(i)`` is a pure function of ``(seed, i)``."""

    def __init__(self, sources: Sequence[VideoSource | ImageSource], weights: Sequence[float] | None = None,
                 augment: Augment = Augment(), seed: int = 0):
        if not sources:
            raise ValueError("no data source")
        self.sources = list(sources)
        w = np.asarray(weights if weights is not None else [1.0] * len(sources), dtype=np.float64)
        if w.shape != (len(self.sources),) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(f"bad source weights {list(w)}")
        self.probabilities = w / w.sum()
        self.augment, self.seed = augment, int(seed)
        first = self.sources[0]
        self.frames, self.patch, self.scale = first.frames, first.patch, first.scale

    def sample(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Sample ``index``: float32 ``lr [T,p,p,3]`` and ``hr [T,sp,sp,3]`` in [0, 1]."""
        rng = np.random.default_rng([self.seed, int(index)])
        source = self.sources[int(rng.choice(len(self.sources), p=self.probabilities))]
        lr, hr = source.draw(rng)
        lr, hr = augment_pair(lr, hr, self.augment, rng)
        scale = np.float32(1.0 / 255.0)
        return (np.ascontiguousarray(lr, dtype=np.float32) * scale,
                np.ascontiguousarray(hr, dtype=np.float32) * scale)
