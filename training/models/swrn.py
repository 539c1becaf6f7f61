"""SWRN: Lian & Peng 2022, "Sliding Window Recurrent Network for Efficient Video Super-Resolution" (MAI 2022).

Each run reads frames [t-1, t, t+1] (offsets (-1, 0, 1), one frame of lookahead) and one 32-channel hidden state,
the forward (channels 0..15) and backward (16..31) branch states side by side:

* forward branch: conv 3x3 over [t-1, t, h_f] + ReLU, 3 x (conv 3x3 + ReLU); backward branch the same over
  [t+1, t, h_b] (the future frame first, as in the published model);
* each branch's next state is one more conv 3x3 (no activation) of its features; the two are concatenated into
  ``state_0_out``;
* fusion: conv 3x3 over [forward features, backward features] (32 -> 16) + ReLU, 3 x (conv 3x3 + ReLU), conv 3x3
  (16 -> 48), depth-to-space x4, added to the bilinearly x4-resized frame t, clipped (``hr``).

This is op for op the author's released model (``swrn.tflite`` converted from shermanlian/swrn ckpt-98), which
``mobilevsr-train import`` loads exactly (tests/training/test_importer.py).
"""

from __future__ import annotations

import tensorflow as tf

from .._keras import keras
from .blocks import ChannelSlice, bilinear_anchor, conv, upsample_and_clip
from .registry import TemporalLayout, register

layers = keras.layers


def _branch(inputs: list[tf.Tensor], hidden: int, blocks: int, name: str) -> tuple[tf.Tensor, tf.Tensor]:
    """(features, next state) of one recurrent branch."""
    x = conv(layers.Concatenate(name=f"concat_{name}")(inputs), hidden, activation="relu", name=f"{name}_in")
    for i in range(blocks):
        x = conv(x, hidden, activation="relu", name=f"{name}_conv{i + 1}")
    return x, conv(x, hidden, name=f"{name}_state")


@register("swrn", paper="Lian & Peng 2022, Sliding Window Recurrent Network for Efficient Video Super-Resolution",
          layout=TemporalLayout(offsets=(-1, 0, 1), state_channels=(32,)))
def build_swrn(frame_size: tuple[int, int], batch_size: int | None, name: str = "swrn", hidden: int = 16,
               blocks: int = 3, scale: int = 4) -> keras.Model:
    """SWRN with ``hidden``-channel forward/backward branches (and fusion trunk) of ``blocks`` conv blocks each."""
    frames = keras.Input(shape=(*frame_size, 9), batch_size=batch_size, name="frames")
    state = keras.Input(shape=(*frame_size, 2 * hidden), batch_size=batch_size, name="state_0")
    prev, cur, nxt = (ChannelSlice(3 * i, 3, name=f"frame_{n}")(frames) for i, n in enumerate(("prev", "t", "next")))
    h_f = ChannelSlice(0, hidden, name="state_fwd")(state)
    h_b = ChannelSlice(hidden, hidden, name="state_bwd")(state)
    x_f, next_f = _branch([prev, cur, h_f], hidden, blocks, "fwd")
    x_b, next_b = _branch([nxt, cur, h_b], hidden, blocks, "bwd")
    x = conv(layers.Concatenate(name="concat_fuse")([x_f, x_b]), hidden, activation="relu", name="fuse")
    for i in range(blocks):
        x = conv(x, hidden, activation="relu", name=f"fuse_conv{i + 1}")
    out = conv(x, 3 * scale * scale, name="conv_out")
    hr = upsample_and_clip(out, scale, hr_anchor=bilinear_anchor(cur, scale))
    next_state = layers.Concatenate(name="state_0_out")([next_f, next_b])
    return keras.Model([frames, state], [hr, next_state], name=name)
