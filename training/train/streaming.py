"""Streaming semantics of docs/model-contract.md, shared by training (unrolled, differentiable) and evaluation.

For anchor t a model reads LR frames ``t + o`` for every offset o of its layout; indexes before the clip start are
frame 0, after the clip end the last frame. State inputs are zeros at clip start and each run's state outputs are
the next run's state inputs. One HR frame per LR frame, in order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from .._keras import keras
from ..models import TemporalLayout

__all__ = ["KerasUpscaler", "call_model", "to_model_input", "to_pixels", "unroll", "window_indices"]


def window_indices(anchor: int, length: int, offsets: Sequence[int]) -> list[int]:
    """Frame indexes read for ``anchor`` in a clip of ``length`` frames (edge replication at both ends)."""
    return [min(max(anchor + o, 0), length - 1) for o in offsets]


def call_model(model: keras.Model, frames: tf.Tensor, states: Sequence[tf.Tensor],
               training: bool = False) -> tuple[tf.Tensor, list[tf.Tensor]]:
    """One run: ``(hr, new_states)`` from stacked ``frames`` and the current ``states``."""
    inputs = {"frames": frames, **{f"state_{i}": s for i, s in enumerate(states)}}
    outputs = model(inputs, training=training)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return outputs[0], list(outputs[1:])


def unroll(model: keras.Model, layout: TemporalLayout, lr: tf.Tensor, training: bool = False) -> tf.Tensor:
    """Run ``model`` over every anchor of the clips ``lr`` [B, T, h, w, 3]; returns HR ``[B, T, sh, sw, 3]``.

    Gradients flow through the state chain (backpropagation through time over the T steps).
    """
    length = lr.shape[1]
    shape = tf.shape(lr)
    states = [tf.zeros([shape[0], shape[2], shape[3], c], lr.dtype) for c in layout.state_channels]
    outputs = []
    for t in range(length):
        frames = tf.concat([lr[:, i] for i in window_indices(t, length, layout.offsets)], axis=-1)
        hr, states = call_model(model, frames, states, training=training)
        outputs.append(hr)
    return tf.stack(outputs, axis=1)


def to_model_input(frame: np.ndarray, pixel_range: float = 1.0) -> np.ndarray:
    """uint8 pixels to float32 model input exactly as the runtime converts them."""
    return frame.astype(np.float32) * np.float32(pixel_range / 255.0)


def to_pixels(values: np.ndarray, pixel_range: float = 1.0) -> np.ndarray:
    """Float model output to uint8 exactly as the runtime does (``cpp/src/pixel_convert``: ``FloatToByte``).

    float32 product ``v * 255 / pixel_range``, clamped to [0, 255] (NaN -> 0), then rounded half up by comparing the
    exact fraction ``x - trunc(x)`` with 0.5 (``RoundClampedToByte``); ``floor(x + 0.5)`` would be wrong just below
    a tie (0.49999997 + 0.5 rounds to 1.0 in float32).
    """
    scaled = np.asarray(values, dtype=np.float32) * np.float32(255.0 / pixel_range)
    clamped = np.minimum(np.float32(255.0), np.where(scaled > 0, scaled, np.float32(0.0)))
    whole = np.trunc(clamped)
    return (whole + (clamped - whole >= np.float32(0.5))).astype(np.uint8)


class KerasUpscaler:
    """Frame-by-frame driver of a Keras zoo model with the runtime's API (``process``/``flush``/``reset``).

    ``process(frame)`` returns the HR uint8 frame of the next anchor once its lookahead frames have arrived, else
    ``None``; ``flush()`` returns the outputs still held back (future frames replaced by the last frame).
    The model must be built for the frames' LR size with batch size 1 (or None).
    """

    def __init__(self, model: keras.Model, layout: TemporalLayout):
        self.model, self.layout = model, layout
        self._run = tf.function(lambda frames, states: call_model(model, frames, states), reduce_retracing=True)
        self.reset()

    def reset(self) -> None:
        """Start a new clip: forget frames, zero the state."""
        self._frames: dict[int, np.ndarray] = {}
        self._received = 0
        self._anchor = 0
        self._states: list[tf.Tensor] | None = None

    def process(self, frame: np.ndarray) -> np.ndarray | None:
        """Feed one LR uint8 ``HxWx3`` frame; returns an HR uint8 frame or ``None`` while the lookahead fills."""
        self._frames[self._received] = frame
        self._received += 1
        if self._anchor + self.layout.lookahead < self._received:
            return self._step(self._received)
        return None

    def flush(self) -> list[np.ndarray]:
        """Outputs for every anchor not produced yet (the clip ends at the last frame fed)."""
        out = []
        while self._anchor < self._received:
            out.append(self._step(self._received))
        return out

    def _step(self, length: int) -> np.ndarray:
        t = self._anchor
        indices = window_indices(t, length, self.layout.offsets)
        stacked = np.concatenate([to_model_input(self._frames[i], self.layout.pixel_range) for i in indices], -1)
        frames = tf.convert_to_tensor(stacked[None])
        if self._states is None:
            h, w = stacked.shape[:2]
            self._states = [tf.zeros([1, h, w, c], tf.float32) for c in self.layout.state_channels]
        hr, self._states = self._run(frames, self._states)
        self._anchor += 1
        # Keep frame 0 (past edge replication) and the frames later anchors can still read.
        oldest = t + 1 + min(0, min(self.layout.offsets))
        for i in [i for i in self._frames if 0 < i < oldest]:
            del self._frames[i]
        return to_pixels(hr[0].numpy(), self.layout.pixel_range)
