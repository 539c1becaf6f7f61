"""Calibration data for full-integer quantization: real LR frames, and for recurrent models the real hidden states.

LR frames come from HR clips (``../shared/data/train_videos`` by default) by the data module's MATLAB bicubic x1/4,
fitted to the deploy frame size (centre crop when larger, symmetric padding when smaller: the statistics of the
activations, which is all calibration measures, stay those of real footage). Recurrent models are unrolled over
each clip exactly as the runtime drives them (edge-replicated windows, zero state at clip start, each run's state
outputs fed to the next run), so the state inputs are calibrated on the states the float model really produces.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .._keras import keras
from ..data.bicubic import matlab_downscale
from ..data.readers import load_frame, read_clip_folders
from ..models import TemporalLayout
from ..train.streaming import to_model_input, window_indices

__all__ = ["DEFAULT_CALIBRATION_ROOT", "calibration_samples", "fit_frame", "lr_clips"]

# Relative to the working directory (the project root by convention), like every ../shared path in the docs.
DEFAULT_CALIBRATION_ROOT = Path("..") / "shared" / "data" / "train_videos"


def fit_frame(lr: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Centre-crop and/or symmetrically pad an ``HxWxC`` frame to ``size`` = (H, W)."""
    out = lr
    for axis, want in enumerate(size):
        have = out.shape[axis]
        if have > want:
            start = (have - want) // 2
            out = np.take(out, np.arange(start, start + want), axis=axis)
        elif have < want:
            before = (want - have) // 2
            pad = [(0, 0)] * out.ndim
            pad[axis] = (before, want - have - before)
            out = np.pad(out, pad, mode="symmetric")
    return np.ascontiguousarray(out)


def lr_clips(root: str | Path, size: tuple[int, int], clips: int, frames: int, scale: int = 4,
             seed: int = 0) -> list[list[np.ndarray]]:
    """``clips`` clips (spread evenly over the clip folders) of ``frames`` consecutive uint8 LR frames of ``size``.

    The start frame of each clip is drawn from ``seed``; the HR frame is downscaled whole, then fitted to ``size``.
    """
    folders = read_clip_folders(root, min_frames=1)
    if not folders:
        raise FileNotFoundError(f"no clips under {root}")
    rng = np.random.default_rng(seed)
    picks = np.linspace(0, len(folders) - 1, num=min(clips, len(folders))).round().astype(int)
    out = []
    for index in picks:
        clip = folders[int(index)]
        count = min(frames, len(clip.frames))
        start = int(rng.integers(0, len(clip.frames) - count + 1))
        out.append([fit_frame(matlab_downscale(load_frame(p), scale), size) for p in clip.frames[start:start + count]])
    return out


def calibration_samples(model: keras.Model, layout: TemporalLayout, clips: list[list[np.ndarray]]
                        ) -> Iterator[dict[str, np.ndarray]]:
    """Model inputs (``frames`` and ``state_i``, batch 1, float32) of every run over every clip, in runtime order.

    ``model`` is the float model at the deploy size; it is only run (to produce the real states) when the layout
    has state.
    """
    for clip in clips:
        h, w = clip[0].shape[:2]
        states = [np.zeros((1, h, w, c), np.float32) for c in layout.state_channels]
        for t in range(len(clip)):
            stacked = np.concatenate([to_model_input(clip[i], layout.pixel_range)
                                      for i in window_indices(t, len(clip), layout.offsets)], axis=-1)[None]
            sample = {"frames": stacked, **{f"state_{i}": s for i, s in enumerate(states)}}
            yield sample
            if states:
                outputs = model(sample, training=False)
                states = [np.asarray(o, np.float32) for o in outputs[1:]]
